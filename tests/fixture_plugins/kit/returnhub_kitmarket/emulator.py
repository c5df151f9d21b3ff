"""The reference marketplace's API: pages of 10 returns, an API key, decisions per line (idempotent)."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, request

API_KEY = "kit-market-key-7d1f0b"
PAGE_SIZE = 10


def create_app(demo: bool = False) -> Flask:
    app = Flask(__name__)
    app.config["KIT"] = {"returns": [], "decisions": {}, "lock": threading.Lock()}
    if demo:
        seed(app, 12)

    @app.before_request
    def auth():
        if not request.path.startswith("/_emulator") and request.headers.get("X-Api-Key") != API_KEY:
            return jsonify(error="invalid api key"), 401
        return None

    @app.get("/returns")
    def returns():
        state = app.config["KIT"]
        page = max(1, int(request.args.get("page", 1)))
        items = state["returns"][(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        pages = max(1, -(-len(state["returns"]) // PAGE_SIZE))
        return jsonify(returns=items, page=page, pages=pages)

    @app.get("/orders/<order_id>")
    def order(order_id):
        """The order behind a seeded return: its lines as the return names them, 404 for another id."""
        found = next((r for r in app.config["KIT"]["returns"] if r["order"] == order_id), None)
        if found is None:
            return jsonify(error=f"no order {order_id}"), 404
        return jsonify(id=order_id, lines=[{"line": i["line"], "sku": i["sku"], "title": i["title"],
                                            "qty": i["qty"] + 1} for i in found["items"]])

    @app.put("/returns/<rid>/lines/<line>")
    def decide(rid, line):
        state = app.config["KIT"]
        body = request.get_json(force=True)
        with state["lock"]:
            earlier = state["decisions"].get((rid, line))
            if earlier is not None:
                return (jsonify(earlier), 200) if earlier["outcome"] == body["outcome"] else (
                    jsonify(error="line already decided differently"), 409)
            state["decisions"][(rid, line)] = {"outcome": body["outcome"], "quantity": body["quantity"]}
        return jsonify(status="recorded"), 201

    return app


def seed(app, count: int) -> None:
    """Add ``count`` realistic returns (one or two lines each)."""
    state = app.config["KIT"]
    with state["lock"]:
        start = len(state["returns"]) + 1
        for n in range(start, start + count):
            state["returns"].append({
                "id": f"KR{n}", "order": f"KO{n}",
                "created": (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat(),
                "customer": f"Customer {n}", "email": f"customer{n}@example.com",
                "items": [{"line": f"KR{n}-{i}", "sku": f"SKU-{i}", "title": f"Item {i}", "qty": 1 + n % 2,
                           "price": "19.95"} for i in range(1, 2 + n % 2)]})


def pushed(app, return_id: str) -> dict[str, str]:
    """The outcomes recorded for a return, by line."""
    return {line: d["outcome"] for (rid, line), d in app.config["KIT"]["decisions"].items() if rid == return_id}


def settings(url: str) -> dict:
    return {"base_url": url, "api_key": API_KEY}
