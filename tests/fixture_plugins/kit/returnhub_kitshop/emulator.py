"""The reference shop's API: orders by number, returns (looked up by reference), merchant outcomes."""
from __future__ import annotations

import threading

from flask import Flask, jsonify, request

TOKEN = "kit-shop-token-4b2e91"
WEBHOOK_SECRET = "kit-shop-webhook-9c3a55"


def create_app(demo: bool = False) -> Flask:
    app = Flask(__name__)
    state = app.config["KIT"] = {"orders": {}, "returns": {}, "lock": threading.Lock()}
    if demo:
        seed_orders(app, [{"order_id": f"KO{n}", "lines": []} for n in range(1, 13)])

    @app.before_request
    def auth():
        if not request.path.startswith("/_emulator") and request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return jsonify(error="unauthorized"), 401
        return None

    @app.get("/orders")
    def orders():
        found = state["orders"].get(request.args.get("number", ""))
        return jsonify(orders=[found] if found else [])

    @app.get("/returns")
    def returns():
        if "reference" in request.args:
            ref = request.args["reference"]
            return jsonify(returns=[r for r in state["returns"].values() if r["reference"] == ref])
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        return jsonify(returns=[state["returns"][i] for i in ids if i in state["returns"]])

    @app.post("/returns")
    def create():
        body = request.get_json(force=True)
        with state["lock"]:
            rid = f"SR{len(state['returns']) + 1}"
            state["returns"][rid] = {"id": rid, "reference": body["reference"], "order_id": body["order_id"],
                                     "lines": {line["line"]: {"quantity": line["quantity"],
                                                              "outcome": "refund" if body.get("accepted") else None}
                                               for line in body["lines"]}}
        return jsonify(state["returns"][rid]), 201

    return app


def seed_orders(app, orders: list[dict]) -> None:
    state = app.config["KIT"]
    for order in orders:
        state["orders"][order["order_id"]] = {"id": f"SO-{order['order_id']}", "number": order["order_id"]}


def decide(app, return_id: str, outcome: str) -> None:
    """The merchant sets ``outcome`` on every line of a return."""
    for line in app.config["KIT"]["returns"][return_id]["lines"].values():
        line["outcome"] = outcome


def settings(url: str) -> dict:
    return {"base_url": url, "token": TOKEN, "webhook_secret": WEBHOOK_SECRET}
