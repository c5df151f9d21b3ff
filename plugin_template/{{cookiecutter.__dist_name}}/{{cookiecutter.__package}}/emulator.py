"""An emulator of the {{ cookiecutter.platform_name }} API for tests and ``returnhub demo``.

Generated as a small EXAMPLE API so the plugin works out of the box. Replace it with an emulator of
the real API subset the plugin uses, faithful to the official specification: same paths, field
names, status codes, auth, pagination and rate-limit answers. Keep the helpers at the bottom
(the conformance test uses them to seed data and read back what the plugin sent).
"""
from __future__ import annotations

import threading
{%- if cookiecutter.kind == "marketplace" %}
from datetime import datetime, timedelta, timezone
{%- endif %}

from flask import Flask, jsonify, request

{% if cookiecutter.auth == "api_key" -%}
CREDENTIALS = {"api_key": "emulator-api-key-0c4f"}


def authorised() -> bool:
    return request.headers.get("X-Api-Key") == CREDENTIALS["api_key"]
{%- elif cookiecutter.auth == "bearer_token" -%}
CREDENTIALS = {"access_token": "emulator-access-token-5e9b"}


def authorised() -> bool:
    return request.headers.get("Authorization") == f"Bearer {CREDENTIALS['access_token']}"
{%- else -%}
CREDENTIALS = {"username": "emulator-user", "password": "emulator-password-83d1"}


def authorised() -> bool:
    auth = request.authorization
    return bool(auth) and (auth.username, auth.password) == (CREDENTIALS["username"], CREDENTIALS["password"])
{%- endif %}

{% if cookiecutter.kind == "marketplace" %}
PAGE_SIZE = 10


def create_app(demo: bool = False) -> Flask:
    """The example API; ``demo`` seeds 12 returns. ``app.config["EMULATOR"]`` is its state."""
    app = Flask(__name__)
    app.config["EMULATOR"] = {"returns": [], "decisions": {}, "lock": threading.Lock()}
    if demo:
        seed(app, 12)

    @app.before_request
    def auth():
        if not request.path.startswith("/_emulator") and not authorised():
            return jsonify(error="unauthorized"), 401
        return None

    @app.get("/returns")
    def list_returns():
        state = app.config["EMULATOR"]
        page = max(1, int(request.args.get("page", 1)))
        items = state["returns"][(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        return jsonify(returns=items, page=page, pages=max(1, -(-len(state["returns"]) // PAGE_SIZE)))

    @app.put("/returns/<return_id>/lines/<line_id>")
    def decide(return_id, line_id):
        state = app.config["EMULATOR"]
        body = request.get_json(force=True)
        with state["lock"]:
            earlier = state["decisions"].get((return_id, line_id))
            if earlier is not None:  # the same decision again is fine; a different one is refused
                if earlier["outcome"] == body["outcome"]:
                    return jsonify(earlier), 200
                return jsonify(error="line already decided"), 409
            state["decisions"][(return_id, line_id)] = {"outcome": body["outcome"], "quantity": body["quantity"]}
        return jsonify(status="recorded"), 201

    return app


def seed(app, count: int) -> None:
    """Add ``count`` realistic returns of one or two lines."""
    state = app.config["EMULATOR"]
    with state["lock"]:
        start = len(state["returns"]) + 1
        for n in range(start, start + count):
            state["returns"].append({
                "id": f"RET-{n}", "order_id": f"ORD-{1000 + n}",
                "created_at": (datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(hours=n)).isoformat(),
                "customer": {"name": f"Customer {n}", "email": f"customer{n}@example.com"},
                "items": [{"id": f"RET-{n}-{i}", "sku": f"SKU-{i}", "title": f"Article {i}", "quantity": 1 + n % 2,
                           "reason": "TOO_SMALL", "price": "24.95", "currency": "EUR"} for i in range(1, 2 + n % 2)]})


def pushed(app, return_id: str) -> dict[str, str]:
    """The outcomes the emulator recorded for a return, by line id."""
    return {line: d["outcome"] for (rid, line), d in app.config["EMULATOR"]["decisions"].items() if rid == return_id}
{% else %}

def create_app(demo: bool = False) -> Flask:
    """The example API; ``demo`` seeds 12 orders. ``app.config["EMULATOR"]`` is its state."""
    app = Flask(__name__)
    state = app.config["EMULATOR"] = {"orders": {}, "returns": {}, "lock": threading.Lock()}
    if demo:
        seed_orders(app, [{"order_id": f"ORD-{1000 + n}", "lines": []} for n in range(1, 13)])

    @app.before_request
    def auth():
        if not request.path.startswith("/_emulator") and not authorised():
            return jsonify(error="unauthorized"), 401
        return None

    @app.get("/orders")
    def orders():
        found = state["orders"].get(request.args.get("number", ""))
        return jsonify(orders=[found] if found else [])

    @app.get("/returns")
    def returns():
        if "reference" in request.args:
            reference = request.args["reference"]
            return jsonify(returns=[r for r in state["returns"].values() if r["reference"] == reference])
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        return jsonify(returns=[state["returns"][i] for i in ids if i in state["returns"]])

    @app.post("/returns")
    def create():
        body = request.get_json(force=True)
        outcome = "refund" if body.get("accepted") else None
        with state["lock"]:
            return_id = f"SR-{len(state['returns']) + 1}"
            state["returns"][return_id] = {
                "id": return_id, "reference": body["reference"], "order_id": body["order_id"],
                "lines": {line["line"]: {"quantity": line["quantity"], "outcome": outcome} for line in body["lines"]}}
        return jsonify(state["returns"][return_id]), 201

    return app


def seed_orders(app, orders: list[dict]) -> None:
    """Add orders (``{"order_id": ..., "lines": [...]}``, as marketplace emulators give them)."""
    for order in orders:
        app.config["EMULATOR"]["orders"][order["order_id"]] = {"id": f"SO-{order['order_id']}",
                                                               "number": order["order_id"]}


def decide(app, return_id: str, outcome: str) -> None:
    """Play the merchant: set ``outcome`` on every line of a return."""
    for line in app.config["EMULATOR"]["returns"][return_id]["lines"].values():
        line["outcome"] = outcome
{% endif %}

def settings(url: str) -> dict:
    """Connection settings that point the adapter at an emulator running at ``url``."""
    return {"base_url": url, **CREDENTIALS}


def main() -> None:
    """``python -m {{ cookiecutter.__package }}.emulator``: serve the emulator on port 8765 (demo data)."""
    create_app(demo=True).run(host="127.0.0.1", port=8765)


if __name__ == "__main__":
    main()
