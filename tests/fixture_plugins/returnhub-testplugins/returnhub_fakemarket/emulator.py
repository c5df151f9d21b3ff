"""The fake marketplace's HTTP API: paginated returns, idempotent decision PUTs, faults, a ledger."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, request

API_KEY = "market-secret-key"


def sample_return(n: int, order_prefix: str = "MO", fulfilment: str = "merchant", method: str | None = None,
                  lines: int = 1, quantity: int = 1) -> dict:
    """A realistic return in the emulator's own JSON shape."""
    return {
        "id": f"R{n}", "order": f"{order_prefix}{n}",
        "created": (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat(),
        "fulfilment": fulfilment, "method": method,
        "customer": {"name": f"Customer {n}", "email": f"customer{n}@example.com",
                     "street": "Kerkstraat", "number": str(n % 200 + 1), "zip": "1017 GC",
                     "city": "Amsterdam", "country": "NL"},
        "items": [{"line": f"R{n}-{i}", "sku": f"SKU-{i}", "ean": f"87123456{i:05d}", "title": f"Item {i}",
                   "qty": quantity, "reason": "TOO_SMALL", "price": "19.95"} for i in range(1, lines + 1)],
    }


def create_app(demo: bool = False, returns: int = 0) -> Flask:
    app = Flask(__name__)
    state = app.config["EMULATOR"] = {
        "returns": [], "decisions": {}, "puts": [], "requests": 0, "faults": [], "latency": 0.0,
        "lock": threading.Lock(),
    }
    for n in range(1, (12 if demo else returns) + 1):
        state["returns"].append(sample_return(n, lines=1 + n % 2, quantity=1 + n % 3))

    @app.before_request
    def gate():
        if request.path.startswith("/_emulator"):
            return None
        with state["lock"]:
            state["requests"] += 1
            fault = next((f for f in state["faults"] if f["path"] in request.path and f["count"] > 0), None)
            if fault:
                fault["count"] -= 1
        if state["latency"]:
            time.sleep(state["latency"])  # real: a slow platform, seen by real sockets and workers
        if request.headers.get("X-Api-Key") != API_KEY:
            return jsonify(error="invalid api key"), 401
        if fault:
            headers = {"Retry-After": str(fault["retry_after"])} if fault.get("retry_after") is not None else {}
            return jsonify(error="injected fault"), fault["status"], headers
        return None

    @app.get("/returns")
    def list_returns():
        offset = int(request.args.get("offset", 0))
        limit = min(int(request.args.get("limit", 50)), 50)
        page = state["returns"][offset:offset + limit]
        return jsonify(returns=page, next_offset=offset + len(page), total=len(state["returns"]))

    @app.put("/returns/<rid>/lines/<line>/decision")
    def decide(rid, line):
        body = request.get_json(force=True)
        with state["lock"]:
            state["puts"].append({"return": rid, "line": line, **body})
            key = (rid, line)
            if key in state["decisions"]:
                return jsonify(status="unchanged", **state["decisions"][key]), 200
            state["decisions"][key] = {"decision": body["decision"], "quantity": body["quantity"]}
        return jsonify(status="recorded"), 201

    @app.get("/returns/<rid>/lines/<line>/decision")
    def get_decision(rid, line):
        found = state["decisions"].get((rid, line))
        return (jsonify(found), 200) if found else (jsonify(error="no decision"), 404)

    @app.post("/_emulator/returns")
    def seed():
        with state["lock"]:
            state["returns"].extend(request.get_json(force=True))
        return jsonify(count=len(state["returns"]))

    @app.post("/_emulator/faults")
    def fault():
        state["faults"].append(request.get_json(force=True))
        return jsonify(ok=True)

    return app


def demo_orders(app) -> list[dict]:
    """The orders behind the seeded returns, for seeding the demo shop."""
    return [{"order_id": r["order"], "lines": [{"sku": i["sku"], "ean": i["ean"], "title": i["title"],
                                                 "quantity": i["qty"]} for i in r["items"]]}
            for r in app.config["EMULATOR"]["returns"]]
