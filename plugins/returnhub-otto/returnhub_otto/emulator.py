"""An emulator of the OTTO Market API (token, Returns v3, Orders v4) on the hub's EmulatorApp.

What it holds the client to, as OTTO does: a client-credentials token (30 minutes, by hub.clock)
carrying the scopes asked for; 401 for a missing, unknown or expired token, 403 without the
interface's scope; ``limit`` at most 50; 1 to 200 position items per decision call; known
condition and reason codes (a rejection needs one); and the one-way rule — an accepted item is
never rejected afterwards, a rejected one may still be accepted (per-item errors in a multi-status
answer). Test hooks under ``/_emulator``.
"""
from __future__ import annotations

import secrets
import threading
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, g, jsonify, request

from hub import clock
from hub.sdk.cursor import iso
from hub.testing.emulation import EmulatorApp, run_in_foreground
from hub.testing.emulation.auth import OAuth2TokenEndpoint
from hub.testing.emulation.errors import oauth_error
from returnhub_otto import emulator_data
from returnhub_otto.codes import ACCEPT_REASONS, CONDITIONS, REJECT_REASONS, STATUSES

CLIENT_ID = "otto-emulator-app"
CLIENT_SECRET = "otto-emulator-secret-5d41402abc4b2a76b9719d911017c592"
TOKEN_TTL = 1800  # seconds; OTTO's tokens last 30 minutes
KNOWN_SCOPES = {"orders", "returns", "shipments", "receipts", "products", "availability", "price-reduction",
                "quantities", "shipping-profiles", "return-shipments"}
MAX_LIMIT, MAX_ITEMS = 50, 200
JSON = "application/json;charset=UTF-8"


class OttoState:
    """The emulated seller account: orders and the return state of their position items."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clients = {CLIENT_ID: CLIENT_SECRET}
        self.orders: dict[str, dict] = {}
        self.items: dict[str, dict] = {}
        self.decisions: list[dict] = []  # every decision call, as received (kind, items)
        self.number = 100
        self.token_calls = 0

    def take_number(self) -> int:
        with self.lock:
            self.number += 1
            return self.number

    def seed(self, count: int = 1, **kw) -> list[dict]:
        """Add ``count`` orders with returned position items (see ``emulator_data.make_return``)."""
        with self.lock:
            return [emulator_data.make_return(self, **kw) for _ in range(count)]

    def item_ids(self, order: dict) -> list[str]:
        return [p["positionItemId"] for p in order["positionItems"]]


def _errors(status: int, *errors: dict):
    response = jsonify({"errors": list(errors)})
    response.status_code = status
    return response


def _error(title: str, detail: str, **fields) -> dict:
    return {"title": title, "detail": detail, **fields}


def create_app(demo: bool = False, state: OttoState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds announced returns of the last days and one misdirected return."""
    state = state or OttoState()
    emu = EmulatorApp(__name__)
    app = emu.app
    app.extensions["otto"] = state
    if demo:
        for n in range(8):
            state.seed(1, units=1 + n % 3, same_product=n % 2 == 0, age=timedelta(hours=5 * (8 - n)))
        state.seed(1, units=1, status="MISDIRECTED", age=timedelta(hours=2))

    @app.post("/v1/token")
    def token():
        """Client credentials (form fields or HTTP Basic); the scopes asked for must be known."""
        client_id, secret = OAuth2TokenEndpoint._client_auth()
        known = state.clients.get(client_id)
        if not client_id or known is None or not secrets.compare_digest(known, secret):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if request.form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported")
        scopes = (request.form.get("scope") or "").split()
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if not scopes or unknown:
            return oauth_error(400, "invalid_scope", f"Unknown or missing scope: {' '.join(unknown) or '(none)'}")
        state.token_calls += 1
        access = emu.tokens.issue(client_id, TOKEN_TTL, " ".join(scopes))
        return {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL,
                "scope": " ".join(scopes)}, 200, {"Cache-Control": "no-store"}

    def scoped(scope: str):
        grant = emu.tokens.check()
        if grant is None:
            return _errors(401, _error("Unauthorized", "Missing, invalid or expired access token"))
        if scope not in grant.scope.split():
            return _errors(403, _error("Forbidden", f"The token lacks the scope '{scope}'"))
        g.grant = grant
        return None

    @app.get("/v3/returns")
    def list_returns():
        refused = scoped("returns")
        if refused:
            return refused
        status = (request.args.get("status") or "").upper()
        if status and status not in STATUSES:
            return _errors(400, _error("Bad Request", f"Unknown status {status!r}", path="status"))
        try:
            limit, page = int(request.args.get("limit", 10)), int(request.args.get("page", 1))
        except ValueError:
            return _errors(400, _error("Bad Request", "limit and page must be integers"))
        if not 1 <= limit <= MAX_LIMIT or page < 1:
            return _errors(400, _error("Bad Request", f"limit must be 1..{MAX_LIMIT} and page at least 1",
                                       path="limit"))
        with state.lock:
            rows = [dict(i) for i in state.items.values() if not status or i["status"] == status]
        rows.sort(key=lambda r: (r["occurredTime"], r["positionItemId"]), reverse=True)
        chunk = rows[(page - 1) * limit:page * limit]
        links = []
        if page * limit < len(rows):
            query = {"limit": limit, "page": page + 1, **({"status": status} if status else {})}
            links.append({"rel": "next", "href": f"/v3/returns?{urlencode(query)}"})
        response = jsonify({"positionItems": chunk, "links": links})
        response.headers["Content-Type"] = JSON
        return response

    @app.get("/v4/orders/<sales_order_id>")
    def get_order(sales_order_id: str):
        refused = scoped("orders")
        if refused:
            return refused
        with state.lock:
            order = state.orders.get(sales_order_id)
            if order is None:
                return _errors(404, _error("Not Found", f"No order {sales_order_id}"))
            return jsonify(order)

    @app.post("/v3/returns/<kind>")
    def decide(kind: str):
        if kind not in ("acceptance", "rejection"):
            return _errors(404, _error("Not Found", f"No such resource /v3/returns/{kind}"))
        refused = scoped("returns")
        if refused:
            return refused
        body = request.get_json(silent=True)
        items = body.get("positionItems") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return _errors(400, _error("Bad Request", "positionItems must be a non-empty list", path="positionItems"))
        if len(items) > MAX_ITEMS:
            return _errors(400, _error("Bad Request", f"At most {MAX_ITEMS} position items per request, "
                                       f"got {len(items)}", path="positionItems"))
        problems = _validate(kind, items)
        if problems:
            return _errors(400, *problems)
        with state.lock:
            state.decisions.append({"kind": kind, "items": [dict(i) for i in items]})
            results, errors = [], []
            for entry in items:
                refusal = _apply(state, kind, entry)
                (errors if refusal else results).append(refusal or dict(entry))
        response = jsonify({"results": results, "errors": errors})
        response.status_code = 207 if errors else 200
        return response

    _hooks(emu, state)
    return app


def _validate(kind: str, items: list) -> list[dict]:
    """The request's field errors (400): ids present, known condition and reason codes, a reason to reject."""
    reasons = ACCEPT_REASONS if kind == "acceptance" else REJECT_REASONS
    problems = []
    for n, entry in enumerate(items):
        where = f"positionItems[{n}]"
        if not isinstance(entry, dict) or not entry.get("positionItemId") or not entry.get("salesOrderId"):
            problems.append(_error("Bad Request", "positionItemId and salesOrderId are required", path=where))
            continue
        if entry.get("condition") is not None and entry["condition"] not in CONDITIONS:
            problems.append(_error("Bad Request", f"Unknown condition {entry['condition']!r}",
                                   path=f"{where}.condition"))
        reason = entry.get("reason")
        if reason is None and kind == "rejection":
            problems.append(_error("Bad Request", "A rejection needs a reason", path=f"{where}.reason"))
        elif reason is not None and reason not in reasons:
            problems.append(_error("Bad Request", f"Unknown {kind} reason {reason!r}", path=f"{where}.reason"))
    return problems


def _apply(state: OttoState, kind: str, entry: dict) -> dict | None:
    """Apply one item's decision (state lock held); the per-item error, or None when done."""
    item = state.items.get(entry["positionItemId"])
    if item is None or item["salesOrderId"] != entry["salesOrderId"]:
        return {"positionItemId": entry["positionItemId"], "title": "Not Found",
                "detail": "No returned position item with this id in this order"}
    if kind == "rejection" and item["status"] == "ACCEPTED":
        return {"positionItemId": item["positionItemId"], "title": "Conflict",
                "detail": "An accepted return cannot be rejected afterwards"}
    if kind == "acceptance" and item["status"] == "ACCEPTED":
        return {"positionItemId": item["positionItemId"], "title": "Conflict", "detail": "Return already accepted"}
    item["status"] = "ACCEPTED" if kind == "acceptance" else "REJECTED"
    item["occurredTime"] = iso(clock.now())
    item["details"] = {**item["details"], "reason": entry.get("reason"), "condition": entry.get("condition")}
    if kind == "acceptance":
        for position in state.orders[item["salesOrderId"]]["positionItems"]:
            if position["positionItemId"] == item["positionItemId"]:
                position["fulfillmentStatus"] = "RETURNED"
                position["returnedDate"] = iso(clock.now())
    return None


def _hooks(emu: EmulatorApp, state: OttoState) -> None:
    """Test hooks: seed returns, read the state."""
    emu.seed_hook(state.seed, lambda made: {"orders": [{"salesOrderId": o["salesOrderId"], "items": state.item_ids(o)}
                                                       for o in made]})
    emu.state_hook(lambda: {"items": state.items, "decisions": state.decisions}, lock=state.lock)



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's returns, for the demo shop: one per sales order, a line per item."""
    state: OttoState = app.extensions["otto"]
    with state.lock:
        return [{"order_id": order["salesOrderId"],
                 "lines": [{"sku": p["product"]["sku"], "ean": p["product"]["ean"],
                            "title": p["product"]["productTitle"], "quantity": 1} for p in order["positionItems"]]}
                for order in state.orders.values()]


def emulator_settings(url: str) -> dict:
    """Connection settings that point the OTTO adapter at an emulator running at ``url``."""
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": url}


def main(argv=None) -> None:
    """``python -m returnhub_otto.emulator --port 8767``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8767, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
