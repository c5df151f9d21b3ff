"""An emulator of Allegro's REST API (customer returns, checkout forms, payment refunds) and of allegro.pl's
OAuth server, on the hub's EmulatorApp.

What it holds the client to, as Allegro does: a live user token on every API call (401
``invalid_token`` when missing, unknown or expired by :mod:`hub.clock`); the vendor media types
(406 otherwise: ``application/vnd.allegro.beta.v1+json`` for customer returns, ``...public.v1+json``
for orders and payments); limit/offset ranges; the documented rejection codes (400 for another,
REFUND_REJECTED without a 1-250 character reason, 422 once rejected or finished); refunds that name
the order's payment and line items, by QUANTITY, never above what was returned and not refunded
yet (422), idempotent by ``commandId`` (the same command again gives the same refund; another
body under a used commandId is refused). 25 requests/s per user on the customer-returns list.
Test hooks under ``/_emulator``.
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

from flask import Flask, Response, g, jsonify, request

from hub import clock
from hub.sdk.cursor import iso, parse_time
from hub.testing.emulation import EmulatorApp, run_in_foreground
from returnhub_allegro.emulator_data import AllegroState
from returnhub_allegro.emulator_oauth import CLIENT_ID, CLIENT_SECRET, AllegroAuth

BETA = "application/vnd.allegro.beta.v1+json"
PUBLIC = "application/vnd.allegro.public.v1+json"
REFRESH_TOKEN = "emulator-refresh-token-5c2a9e7f41b8"  # seeded: the demo connection starts with it
REJECTION_CODES = ("REFUND_REJECTED", "NEW_ITEM_SENT", "ITEM_FIXED", "MISSING_PART_SENT", "ITEM_MISMATCH",
                   "BUSINESS_PURCHASE", "NO_RETURN_RIGHT")
REFUND_REASONS = ("REFUND", "COMPLAINT", "PRODUCT_NOT_AVAILABLE", "PAID_VALUE_TOO_LOW", "OVERPAID",
                  "CANCELLED_BY_BUYER", "NOT_COLLECTED")
STATUSES = ("CREATED", "DISPATCHED", "IN_TRANSIT", "DELIVERED", "FINISHED", "FINISHED_APT", "REJECTED",
            "COMMISSION_REFUND_CLAIMED", "COMMISSION_REFUNDED", "WAREHOUSE_DELIVERED", "WAREHOUSE_VERIFICATION")


def _answer(body, media: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=media)


def _errors(status: int, code: str, message: str, media: str, path: str | None = None) -> Response:
    """Allegro's ``ErrorsHolder``."""
    return _answer({"errors": [{"code": code, "message": message, "details": None, "path": path,
                                "userMessage": message}]}, media, status)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def create_app(demo: bool = False, state: AllegroState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds 10 customer returns of the last days (one of them with two offers)."""
    state = state or AllegroState()
    emu = EmulatorApp(__name__)
    app = emu.app
    auth = AllegroAuth(emu.tokens)
    auth.endpoint.add_refresh_token(CLIENT_ID, REFRESH_TOKEN)
    auth.install(app)
    app.extensions["allegro"] = state
    app.extensions["allegro_auth"] = auth
    emu.limit("GET /order/customer-returns", 25, 1.0)
    if demo:
        for n in range(10):
            state.make_return(items=2 if n == 3 else 1, quantity=2 if n % 4 == 1 else 1, ordered_extra=n % 2,
                              age=timedelta(hours=5 * (10 - n)), status="IN_TRANSIT" if n % 5 == 4 else "DELIVERED")

    def media_for(path: str) -> str:
        return BETA if path.startswith("/order/customer-returns") else PUBLIC

    @app.before_request
    def guard():
        if not (request.path.startswith("/order/") or request.path.startswith("/payments/")):
            return None
        media = media_for(request.path)
        header = request.headers.get("Authorization", "")
        if emu.tokens.check(header) is None:
            return _answer({"error": "invalid_token", "error_description": "Invalid or expired access token"},
                           media, 401)
        if media not in request.headers.get("Accept", ""):
            return _errors(406, "NotAcceptableException", "Not acceptable representation requested. Please check "
                           f"'Accept' request header (use {media})", media)
        if request.method == "POST" and request.mimetype != media:
            return _errors(415, "UnsupportedMediaTypeException", f"Content-Type must be {media}", media)
        g.media = media
        return None

    def bad(message: str, path: str | None = None, status: int = 400):
        return _errors(status, "VALIDATION_ERROR", message, g.media, path)

    def window(max_limit: int, default: int):
        try:
            limit, offset = int(request.args.get("limit", default)), int(request.args.get("offset", 0))
        except ValueError:
            return None, bad("limit and offset must be integers", "limit")
        if not 1 <= limit <= max_limit:
            return None, bad(f"limit must be between 1 and {max_limit}", "limit")
        if offset < 0:
            return None, bad("offset must not be negative", "offset")
        return (limit, offset), None

    @app.get("/order/customer-returns")
    def list_returns():
        paging, error = window(1000, 100)
        if error:
            return error
        wanted = request.args.get("status")
        if wanted and wanted not in STATUSES:
            return bad(f"Unknown status {wanted}", "status")
        try:
            gte = parse_time(request.args["createdAt.gte"]) if request.args.get("createdAt.gte") else None
            lte = parse_time(request.args["createdAt.lte"]) if request.args.get("createdAt.lte") else None
        except ValueError:
            return bad("createdAt must be an ISO 8601 date", "createdAt.gte")
        market = request.args.get("marketplaceId")
        with state.lock:
            rows = [r for r in state.returns.values()
                    if (gte is None or parse_time(r["createdAt"]) >= gte) and (lte is None or parse_time(
                        r["createdAt"]) <= lte) and (not wanted or r["status"] == wanted)
                    and (not market or r["marketplaceId"] == market)]
            rows.sort(key=lambda r: (r["createdAt"], r["id"] or ""))
            limit, offset = paging
            page = json.loads(json.dumps(rows[offset:offset + limit]))
        return _answer({"customerReturns": page, "count": len(page)}, BETA)

    @app.get("/order/customer-returns/<return_id>")
    def get_return(return_id: str):
        with state.lock:
            ret = state.returns.get(return_id)
            if ret is None:
                return _errors(404, "NOT_FOUND", f"Customer return {return_id} not found", BETA)
            return _answer(ret, BETA)

    @app.post("/order/customer-returns/<return_id>/rejection")
    def reject(return_id: str):
        body = request.get_json(silent=True)
        rejection = body.get("rejection") if isinstance(body, dict) else None
        if not isinstance(rejection, dict):
            return bad("rejection is required", "rejection")
        code, reason = rejection.get("code"), rejection.get("reason")
        if code not in REJECTION_CODES:
            return bad(f"Unknown rejection code {code!r} (allowed: {', '.join(REJECTION_CODES)})", "rejection.code")
        if reason is not None and not (isinstance(reason, str) and 1 <= len(reason) <= 250):
            return bad("reason must have 1 to 250 characters", "rejection.reason")
        if code == "REFUND_REJECTED" and not reason:
            return bad("reason is required when code is REFUND_REJECTED", "rejection.reason")
        with state.lock:
            ret = state.returns.get(return_id)
            if ret is None:
                return _errors(404, "NOT_FOUND", f"Customer return {return_id} not found", BETA)
            if ret["status"] == "REJECTED":
                return _errors(422, "CUSTOMER_RETURN_ALREADY_REJECTED", "Customer return has already been rejected",
                               BETA)
            if ret["status"] in ("FINISHED", "FINISHED_APT", "COMMISSION_REFUND_CLAIMED", "COMMISSION_REFUNDED"):
                return _errors(422, "CUSTOMER_RETURN_FINISHED", f"Customer return is {ret['status']}", BETA)
            ret["status"] = "REJECTED"
            ret["rejection"] = {"code": code, **({"reason": reason} if reason else {}), "createdAt": iso(clock.now())}
            return _answer(ret, BETA)

    @app.get("/order/checkout-forms/<order_id>")
    def checkout_form(order_id: str):
        if not _is_uuid(order_id):
            return _errors(422, "VALIDATION_ERROR", "order id is not a UUID", PUBLIC)
        with state.lock:
            order = state.orders.get(order_id)
            if order is None:
                return _errors(404, "NOT_FOUND", f"Checkout form {order_id} not found", PUBLIC)
            return _answer(order, PUBLIC)

    @app.get("/payments/refunds")
    def list_refunds():
        paging, error = window(100, 50)
        if error:
            return error
        filters = {k: request.args.get(k) for k in ("id", "payment.id", "order.id") if request.args.get(k)}
        if any(not _is_uuid(v) for v in filters.values()):
            return bad("ids must be UUIDs", next(iter(filters)), 422)
        with state.lock:
            rows = [r for r in state.refunds.values()
                    if filters.get("id", r["id"]) == r["id"]
                    and filters.get("payment.id", r["payment"]["id"]) == r["payment"]["id"]
                    and filters.get("order.id", r["order"]["id"]) == r["order"]["id"]]
            rows.sort(key=lambda r: r["createdAt"])
            limit, offset = paging
            page = json.loads(json.dumps(rows[offset:offset + limit]))
        return _answer({"refunds": page, "count": len(page), "totalCount": len(rows)}, PUBLIC)

    @app.post("/payments/refunds")
    def refund():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return bad("a JSON object is required")
        for name in ("payment", "order", "commandId", "reason"):
            if not body.get(name):
                return bad(f"{name} is required", name)
        if body["reason"] not in REFUND_REASONS:
            return bad(f"Unknown reason {body['reason']!r}", "reason")
        with state.lock:
            known = state.commands.get(str(body["commandId"]))
            if known is not None:  # the idempotency Allegro offers with commandId
                if known[0] != body:
                    return _errors(422, "COMMAND_ID_REUSED", "commandId was already used for another refund", PUBLIC,
                                   "commandId")
                return _answer(state.refunds[known[1]], PUBLIC)
            order = state.orders.get(str((body.get("order") or {}).get("id")))
            payment_id = str((body.get("payment") or {}).get("id"))
            if order is None or order["payment"]["id"] != payment_id:
                return _errors(404, "NOT_FOUND", "Payment not found", PUBLIC, "payment.id")
            items = {li["id"]: li for li in order["lineItems"]}
            total = Decimal("0")
            for n, li in enumerate(body.get("lineItems") or []):
                where = f"lineItems[{n}]"
                item = items.get(str(li.get("id")))
                if item is None:
                    return _errors(422, "VALIDATION_ERROR", f"{li.get('id')} is not a line item of the order", PUBLIC,
                                   f"{where}.id")
                if li.get("type") != "QUANTITY":
                    return _errors(422, "VALIDATION_ERROR", "only QUANTITY refunds are emulated", PUBLIC,
                                   f"{where}.type")
                quantity = li.get("quantity")
                if not isinstance(quantity, int) or quantity < 1:
                    return _errors(422, "VALIDATION_ERROR", "quantity must be a positive integer", PUBLIC,
                                   f"{where}.quantity")
                left = state.returned_quantity(order["id"], item) - state.refunded_quantity(item["id"])
                if quantity > left:
                    return _errors(422, "REFUND_QUANTITY_EXCEEDED", f"{quantity} to refund but only {left} returned "
                                   "and not refunded", PUBLIC, f"{where}.quantity")
                total += Decimal(item["price"]["amount"]) * quantity
            if not body.get("lineItems"):
                return _errors(422, "VALIDATION_ERROR", "nothing to refund", PUBLIC, "lineItems")
            made = {"id": str(uuid.uuid4()), "payment": {"id": payment_id}, "order": {"id": order["id"]},
                    "reason": body["reason"], "status": "SUCCESS", "createdAt": iso(clock.now()),
                    "totalValue": {"amount": str(total), "currency": "PLN"},
                    "lineItems": [{"id": li["id"], "type": "QUANTITY", "quantity": li["quantity"]}
                                  for li in body["lineItems"]],
                    **({"sellerComment": body["sellerComment"]} if body.get("sellerComment") else {})}
            state.refunds[made["id"]] = made
            state.commands[str(body["commandId"])] = (body, made["id"])
            state.settle(order["id"])
            return _answer(made, PUBLIC)

    _hooks(emu, state, auth)
    return app


def _hooks(emu: EmulatorApp, state: AllegroState, auth: AllegroAuth) -> None:
    """Test hooks: seed, break, approve a device code, expire tokens, read state."""
    emu.seed_hook(state.seed, lambda made: {"returns": [r["id"] for r in made]})

    def missing_id(ret: dict) -> None:
        state.returns[f"noid-{ret['id']}"] = state.returns.pop(ret["id"])
        ret["id"] = None

    def missing_order(ret: dict) -> None:
        del state.orders[ret["orderId"]]

    emu.break_hook(state.make_return, {"unknown_status": {("status",): "TELEPORTED"}, "missing_id": missing_id,
                                       "missing_order": missing_order},
                   lambda ret: {"id": ret["id"], "orderId": ret["orderId"]}, lock=state.lock)
    emu.expire_tokens_hook()
    emu.state_hook(lambda: {"returns": state.returns, "refunds": list(state.refunds.values())}, lock=state.lock)

    @emu.app.post("/_emulator/device/approve")
    def approve_hook():
        body = request.get_json(force=True) or {}
        return jsonify(approved=auth.approve(str(body.get("user_code", "")), allow=body.get("allow", True)))



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's returns, for the demo shop."""
    return app.extensions["allegro"].demo_orders()


def emulator_settings(url: str) -> dict:
    """Connection settings that point the Allegro adapter at an emulator running at ``url``."""
    url = url.rstrip("/")
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
            "environment": "sandbox", "api_base_url": url, "auth_base_url": url}


def main(argv=None) -> None:
    """``python -m returnhub_allegro.emulator --port 8767``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8767, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
