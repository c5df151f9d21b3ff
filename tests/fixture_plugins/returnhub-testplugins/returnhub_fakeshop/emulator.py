"""The fake shop's HTTP API: orders, returns (idempotent by reference), decisions, webhooks, a ledger."""
from __future__ import annotations

import hashlib
import hmac
import threading
import time

from flask import Flask, jsonify, request

TOKEN = "shop-secret-token"
WEBHOOK_SECRET = "shop-webhook-secret"


def create_app(demo: bool = False, auto_orders: bool = False, auto_decide: str | None = None) -> Flask:
    app = Flask(__name__)
    state = app.config["EMULATOR"] = {
        "orders": {}, "returns": {}, "creates": [], "credit_notes": [], "requests": 0, "faults": [],
        "latency": 0.0, "auto_orders": auto_orders, "auto_decide": auto_decide, "lock": threading.Lock(),
        "crash_after_create": 0,
    }

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
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return jsonify(error="unauthorized"), 401
        if fault:
            return jsonify(error="injected fault"), fault["status"]
        return None

    @app.get("/orders/<order_number>")
    def order(order_number):
        found = state["orders"].get(order_number)
        if found is None and state["auto_orders"]:
            found = state["orders"].setdefault(order_number, {"id": f"SO-{order_number}", "number": order_number})
        return (jsonify(found), 200) if found else (jsonify(error="order not found"), 404)

    @app.post("/returns")
    def create_return():
        body = request.get_json(force=True)
        with state["lock"]:
            existing = next((r for r in state["returns"].values() if r["reference"] == body["reference"]), None)
            if existing is not None:
                return jsonify(existing), 200
            rid = f"SR{len(state['returns']) + 1}"
            record = {"id": rid, "reference": body["reference"], "order_id": body["order_id"],
                      "status": "accepted" if body.get("accepted") else "open",
                      "lines": {line["line"]: {"quantity": line["quantity"], "decision": None, "decided_qty": None}
                                for line in body["lines"]}}
            if state["auto_decide"] and not body.get("accepted"):
                record["status"] = "decided"
                for line in record["lines"].values():
                    line["decision"], line["decided_qty"] = state["auto_decide"], line["quantity"]
            state["returns"][rid] = record
            state["creates"].append(body["reference"])
            crash = state["crash_after_create"] > 0
            if crash:
                state["crash_after_create"] -= 1
        if crash:
            return jsonify(error="gateway timeout after commit"), 504
        return jsonify(record), 201

    @app.get("/returns")
    def list_returns():
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        return jsonify(returns=[state["returns"][i] for i in ids if i in state["returns"]])

    @app.post("/creditnotes")
    def credit_note():
        state["credit_notes"].append(request.get_json(force=True))
        return jsonify(ok=True), 201

    @app.post("/_emulator/orders")
    def seed_orders_route():
        for o in request.get_json(force=True):
            state["orders"][o["order_id"]] = {"id": f"SO-{o['order_id']}", "number": o["order_id"]}
        return jsonify(count=len(state["orders"]))

    @app.post("/_emulator/returns/<rid>/decide")
    def decide(rid):
        body = request.get_json(force=True)
        record = state["returns"][rid]
        for line_id, (decision, qty) in body["lines"].items():
            record["lines"][line_id].update(decision=decision, decided_qty=qty)
        record["status"] = "decided"
        return jsonify(record)

    @app.post("/_emulator/faults")
    def fault():
        state["faults"].append(request.get_json(force=True))
        return jsonify(ok=True)

    if demo:
        seed_orders(app, [])
    return app


def seed_orders(app, orders: list[dict]) -> None:
    state = app.config["EMULATOR"]
    for o in orders:
        state["orders"][o["order_id"]] = {"id": f"SO-{o['order_id']}", "number": o["order_id"]}


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
