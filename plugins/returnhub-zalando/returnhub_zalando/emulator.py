"""An emulator of Zalando zDirect (token, Orders API, ZRS customer returned items) on the hub's EmulatorApp.

What it holds the client to, as the documentation describes: a client-credentials token (HTTP Basic,
2 hours by hub.clock), 401 for a missing, unknown or expired token, 403 for another merchant's
paths, a JSON:API body for the line PATCH with status ``returned`` and a known integer reason code,
and only a ``shipped`` line may become ``returned`` (a line not shipped or already returned is
refused). Test hooks under ``/_emulator``.
"""
from __future__ import annotations

import secrets
import threading
from datetime import timedelta

from flask import Flask, jsonify, request

from hub import clock
from hub.sdk.cursor import iso, parse_time
from hub.testing.emulation import EmulatorApp, run_in_foreground
from hub.testing.emulation.auth import OAuth2TokenEndpoint
from hub.testing.emulation.errors import oauth_error
from returnhub_zalando import emulator_data
from returnhub_zalando.codes import REASONS

CLIENT_ID = "zalando-emulator-app"
CLIENT_SECRET = "zalando-emulator-secret-6f1ed002ab5595859014ebf0951522d9"
MERCHANT_ID = "b1f0c4e2-0000-4000-8000-00000000beef"
TOKEN_TTL = 7200
JSONAPI = "application/vnd.api+json"


class ZalandoState:
    """The emulated merchant: orders with items and lines, ZRS returned items, every PATCH received."""

    def __init__(self):
        self.lock = threading.RLock()
        self.orders: dict[str, dict] = {}
        self.items: dict[str, dict] = {}
        self.lines: dict[str, dict] = {}
        self.zrs: list[dict] = []
        self.patches: list[dict] = []
        self.number = 100

    def take_number(self) -> int:
        with self.lock:
            self.number += 1
            return self.number

    def order(self, lines: int = 1, **kw) -> dict:
        """A fulfilled partner order (see ``emulator_data.make_order``)."""
        with self.lock:
            return emulator_data.make_order(self, lines, **kw)

    def zss_return(self, order: dict | None = None, **kw) -> dict:
        """Zalando (ZSS) sets the first shipped line of ``order`` (a new one by default) to returned."""
        with self.lock:
            order = order or emulator_data.make_order(self, 1, **kw)
            line = next(line for line in self.order_lines(order) if line["attributes"]["status"] == "shipped")
            self._set(order, line, 2)
            return order

    def zrs_item(self, **kw) -> dict:
        with self.lock:
            return emulator_data.make_zrs_item(self, **kw)

    def order_lines(self, order: dict) -> list[dict]:
        return [self.lines[ref["id"]] for item in self.order_items(order)
                for ref in item["relationships"]["order_lines"]["data"]]

    def order_items(self, order: dict) -> list[dict]:
        return [self.items[ref["id"]] for ref in order["relationships"]["order_items"]["data"]]

    def _set(self, order: dict, line: dict, reason: int | None) -> None:
        now = iso(clock.now())
        line["attributes"].update(status="returned", reason=reason, last_updated=now)
        order["attributes"]["modified_at"] = now

    def document(self, orders: list[dict]) -> dict:
        included = []
        for order in orders:
            for item in self.order_items(order):
                included.append(item)
                included += [self.lines[r["id"]] for r in item["relationships"]["order_lines"]["data"]]
        return {"data": orders, "included": included}


def _errors(status: int, title: str, detail: str):
    response = jsonify({"errors": [{"status": str(status), "title": title, "detail": detail}]})
    response.status_code = status
    response.headers["Content-Type"] = JSONAPI
    return response


def create_app(demo: bool = False, state: ZalandoState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds shipped orders, ZSS returns and ZRS returned items."""
    state = state or ZalandoState()
    emu = EmulatorApp(__name__)
    app = emu.app
    app.extensions["zalando"] = state
    if demo:
        for n in range(4):
            state.order(1 + n % 2, age=timedelta(days=2 + n))
        for n in range(3):
            state.zss_return(age=timedelta(days=4 + n))
        for n in range(3):
            state.zrs_item(days_ago=1 + n)

    @app.post("/auth/token")
    def token():
        client_id, secret = OAuth2TokenEndpoint._client_auth()
        if not client_id or client_id != CLIENT_ID or not secrets.compare_digest(CLIENT_SECRET, secret or ""):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if request.form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported")
        access = emu.tokens.issue(client_id, TOKEN_TTL, request.form.get("scope") or "")
        return {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL}, 200, {
            "Cache-Control": "no-store"}

    def guard(merchant_id: str):
        if emu.tokens.check() is None:
            return _errors(401, "Unauthorized", "Missing, invalid or expired access token")
        if merchant_id != MERCHANT_ID:
            return _errors(403, "Forbidden", "You do not have authority for this merchant")
        return None

    @app.get("/merchants/<merchant_id>/orders")
    def list_orders(merchant_id: str):
        refused = guard(merchant_id)
        if refused:
            return refused
        args = request.args
        try:
            number, size = int(args.get("page[number]", 0)), int(args.get("page[size]", 100))
            after = parse_time(args["last_updated_after"]) if args.get("last_updated_after") else None
        except (ValueError, TypeError):
            return _errors(400, "Bad Request", "page[number], page[size] must be integers, "
                                               "last_updated_after a timestamp")
        if number < 0 or not 1 <= size <= 1000:
            return _errors(400, "Bad Request", "page[size] must be 1..1000")
        with state.lock:
            rows = [o for o in state.orders.values()
                    if (not args.get("order_status") or o["attributes"]["status"] == args["order_status"])
                    and (not args.get("order_type") or o["attributes"]["order_type"] == args["order_type"])
                    and (after is None or parse_time(o["attributes"]["modified_at"]) >= after)]
            rows.sort(key=lambda o: (o["attributes"]["modified_at"], o["id"]))
            response = jsonify(state.document(rows[number * size:(number + 1) * size]))
        response.headers["Content-Type"] = JSONAPI
        return response

    @app.get("/merchants/<merchant_id>/orders/<order_id>")
    def get_order(merchant_id: str, order_id: str):
        refused = guard(merchant_id)
        if refused:
            return refused
        with state.lock:
            order = state.orders.get(order_id)
            if order is None:
                return _errors(404, "Not Found", f"No order {order_id}")
            document = state.document([order])
            response = jsonify({"data": order, "included": document["included"]})
        response.headers["Content-Type"] = JSONAPI
        return response

    @app.patch("/merchants/<merchant_id>/orders/<order_id>/items/<item_id>/lines/<line_id>")
    def patch_line(merchant_id: str, order_id: str, item_id: str, line_id: str):
        refused = guard(merchant_id)
        if refused:
            return refused
        body = request.get_json(silent=True, force=True)
        data = body.get("data") if isinstance(body, dict) else None
        attrs = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attrs, dict) or data.get("type") != "OrderLine" or str(data.get("id")) != line_id:
            return _errors(400, "Bad Request", "Error in JSON payload: data.type OrderLine, data.id the line id")
        if attrs.get("status") != "returned":
            return _errors(400, "Bad Request", "This emulator models only status 'returned'")
        reason = attrs.get("reason")
        if reason is not None and (isinstance(reason, bool) or not isinstance(reason, int) or reason not in REASONS):
            return _errors(400, "Bad Request", f"Unknown reason code {reason!r}")
        with state.lock:
            order, item, line = state.orders.get(order_id), state.items.get(item_id), state.lines.get(line_id)
            if order is None or item is None or line is None or item_id not in [
                    r["id"] for r in order["relationships"]["order_items"]["data"]] or line_id not in [
                    r["id"] for r in item["relationships"]["order_lines"]["data"]]:
                return _errors(404, "Not Found", "No such order line in this order")
            state.patches.append({"line": line_id, "reason": reason})
            status = line["attributes"]["status"]
            if status != "shipped":
                return _errors(409, "Conflict", f"Order line is {status}; only a shipped line can be returned")
            state._set(order, line, reason)
        return "", 204

    @app.get("/zrs/merchants/<merchant_id>/customer-returned-items")
    def zrs_items(merchant_id: str):
        refused = guard(merchant_id)
        if refused:
            return refused
        try:
            start, end = (parse_time(f"{d}T00:00:00Z").date() for d in request.args["date_between"].split(","))
            page, limit = int(request.args.get("page", 0)), int(request.args.get("limit", 100))
        except (KeyError, ValueError, TypeError):
            return _errors(400, "Bad Request", "date_between=YYYY-MM-DD,YYYY-MM-DD, page and limit are required")
        if not 1 <= limit <= 1000 or page < 0 or start > end:
            return _errors(400, "Bad Request", "limit 1..1000, page >= 0, a date range in order")
        today = clock.now().date()
        with state.lock:
            rows = [r for r in state.zrs if start <= parse_time(f"{r['returned_date']}T00:00:00Z").date() <= end
                    and parse_time(f"{r['returned_date']}T00:00:00Z").date() < today]
        rows.sort(key=lambda r: (r["returned_date"], r["id"]))
        return jsonify({"items": rows[page * limit:(page + 1) * limit], "page": page, "limit": limit,
                        "total": len(rows)})

    _hooks(emu, state)
    return app


def _hooks(emu: EmulatorApp, state: ZalandoState) -> None:
    """Test hooks: seed ZSS returns, read the state."""
    emu.seed_hook(lambda count, **_: [state.zss_return() for _ in range(count)],
                  lambda made: {"orders": [o["id"] for o in made]})
    emu.state_hook(lambda: {"lines": state.lines, "patches": state.patches, "zrs": state.zrs}, lock=state.lock)



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's returns, for the demo shop: one per order, a line per item."""
    state: ZalandoState = app.extensions["zalando"]
    with state.lock:
        out = [{"order_id": o["id"], "lines": [{"sku": i["attributes"]["article_id"], "ean": i["attributes"]["ean"],
                                                "title": i["attributes"]["description"], "quantity": 1}
                                               for i in state.order_items(o)]} for o in state.orders.values()]
        out += [{"order_id": r["order_number"], "lines": [{"sku": r["sku"], "ean": r["ean"],
                                                           "title": r["article_name"], "quantity": 1}]}
                for r in state.zrs]
        return out


def emulator_settings(url: str) -> dict:
    """Connection settings that point the Zalando adapter at an emulator running at ``url``."""
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "merchant_id": MERCHANT_ID,
            "api_base_url": url, "import_zrs": True}


def main(argv=None) -> None:
    """``python -m returnhub_zalando.emulator --port 8768``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8768, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
