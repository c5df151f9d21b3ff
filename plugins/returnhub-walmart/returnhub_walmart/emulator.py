"""An emulator of Walmart's Marketplace (US) token and Returns API on the hub's EmulatorApp.

What it holds the client to, as Walmart does: ``POST /v3/token`` with HTTP Basic client credentials
(form ``grant_type=client_credentials``) gives 15-minute tokens (expiring by :mod:`hub.clock`);
every request needs ``WM_SVC.NAME`` and ``WM_QOS.CORRELATION_ID`` (400 otherwise), every Returns
call a live ``WM_SEC.ACCESS_TOKEN`` (401 with Walmart's error body otherwise); the list filters'
enums, dates and ``limit`` ≤ 200 (400); paging by ``meta.nextCursor``; refunds only of existing,
open lines, for whole ``EACH`` units, never more than is left unrefunded (400, nothing applied).
Test hooks under ``/_emulator``.
"""
from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, jsonify, request

from hub import clock
from hub.sdk.cursor import parse_time
from hub.testing.emulation import DROP, EmulatorApp, OAuth2TokenEndpoint, run_in_foreground
from returnhub_walmart import emulator_data
from returnhub_walmart.mapping import units

CLIENT_ID = "8d3f1c52-6a2e-4b8f-9a41-2f0c7e9d5b13"
CLIENT_SECRET = "AJx7mQ2vR9kLp3TzW8yFc5HnB1dGs6UeK4oVi0NaXqEjYr"
TOKEN_TTL = 900.0  # Walmart: "The token is valid for 15 minutes"
STATUSES = ("INITIATED", "DELIVERED", "COMPLETED")
RETURN_TYPES = ("REFUND", "REPLACEMENT", "PREORDER")
UNITS_OF_MEASURE = ("EACH", "EA")
DATE_FILTERS = ("returnCreationStartDate", "returnCreationEndDate", "returnLastModifiedStartDate",
                "returnLastModifiedEndDate")
MAX_LIMIT = 200
REFUNDS_PER_MINUTE = 60


class WalmartState:
    """The emulated seller account: return orders and the refunds issued."""

    def __init__(self):
        self.lock = threading.RLock()
        self.returns: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.next_id = 103738048909818001

    def take_id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id - 1

    def seed(self, count: int, **kw) -> list[dict]:
        """Add ``count`` return orders (see ``emulator_data.make_return``)."""
        with self.lock:
            return [emulator_data.make_return(self, **kw) for _ in range(count)]


def wm_error(status: int, code: str, field: str, description: str):
    """Walmart's error body: ``{"errors": [{"code", "field", "description", "info", "severity", "category"}]}``."""
    response = jsonify({"errors": [{"code": code, "field": field, "description": description,
                                    "info": description, "severity": "ERROR", "category": "DATA",
                                    "causes": [], "errorIdentifiers": {}}]})
    response.status_code = status
    return response


def create_app(*, demo: bool = False, state: WalmartState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds 12 return orders of the last days."""
    emu = EmulatorApp(__name__)
    app = emu.app
    state = state or WalmartState()
    app.extensions["walmart"] = state
    tokens = OAuth2TokenEndpoint(emu.tokens, {CLIENT_ID: CLIENT_SECRET}, ttl=TOKEN_TTL)
    emu.token_endpoint = tokens
    emu.limit("POST /v3/returns/<rid>/refund", REFUNDS_PER_MINUTE, 60)
    if demo:
        for n in range(12):
            state.seed(1, age=timedelta(hours=6 * n + 1), status="INITIATED" if n % 4 == 3 else "DELIVERED")

    @app.before_request
    def walmart_headers():
        if not request.path.startswith("/v3/"):
            return None
        for name in ("WM_SVC.NAME", "WM_QOS.CORRELATION_ID"):
            if not (request.headers.get(name) or "").strip():
                return wm_error(400, "INVALID_REQUEST_HEADER.GMP_GATEWAY_API", name,
                                f"Missing or invalid request header {name}")
        if request.path == "/v3/token":
            return None
        if tokens.tokens.grant(request.headers.get("WM_SEC.ACCESS_TOKEN")) is None:
            return wm_error(401, "UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED",
                            "Unauthorized token or token is expired")
        return None

    @app.post("/v3/token")
    def token():
        if "application/x-www-form-urlencoded" not in (request.content_type or ""):
            return wm_error(400, "INVALID_REQUEST_CONTENT.GMP_GATEWAY_API", "Content-Type",
                            "The token request is a form (application/x-www-form-urlencoded)")
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return wm_error(401, "UNAUTHORIZED.GMP_GATEWAY_API", "Authorization",
                            "The token request needs HTTP Basic client credentials")
        return tokens.view()

    def bad(field: str, description: str):
        return wm_error(400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", field, description)

    @app.get("/v3/returns")
    def list_returns():
        args = request.args
        for name, allowed in (("status", STATUSES), ("returnType", RETURN_TYPES), ("replacementInfo",
                                                                                    ("true", "false"))):
            if name in args and args[name] not in allowed:
                return bad(name, f"Invalid value {args[name]!r} for {name}; allowed: {', '.join(allowed)}")
        bounds = {}
        for name in DATE_FILTERS:
            if args.get(name):
                try:
                    bounds[name] = parse_time(args[name])
                except (ValueError, TypeError):
                    return bad(name, f"Invalid date {args[name]!r} for {name}")
        try:
            limit, offset = int(args.get("limit", 10)), int(args.get("offset", 0))
        except ValueError:
            return bad("limit", "limit and offset are whole numbers")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            return bad("limit", f"limit must be between 1 and {MAX_LIMIT}")
        with state.lock:
            rows = [r for r in state.returns.values() if _matches(r, args, bounds)]
            rows.sort(key=lambda r: (r["returnOrderDate"], r.get("returnOrderId") or ""), reverse=True)
            chunk = [_view(r) for r in rows[offset:offset + limit]]
        nxt = ""
        if offset + limit < len(rows):
            kept = [(k, v) for k, v in args.items(multi=True) if k not in ("limit", "offset")]
            nxt = "?" + urlencode([*kept, ("limit", limit), ("offset", offset + limit)])
        return jsonify({"meta": {"totalCount": len(rows), "limit": limit, "nextCursor": nxt},
                        "returnOrders": chunk})

    @app.post("/v3/returns/<rid>/refund")
    def refund(rid: str):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return bad("body", "The request body is a JSON RefundRequest")
        with state.lock:
            ret = state.returns.get(rid)
            if ret is None:
                return wm_error(404, "CONTENT_NOT_FOUND.GMP_ORDER_API", "returnOrderId",
                                f"Return order {rid} not found")
            if str(body.get("customerOrderId") or "") != ret["customerOrderId"]:
                return bad("customerOrderId", f"customerOrderId does not belong to return order {rid}")
            asked = body.get("refundLines")
            if not isinstance(asked, list) or not asked:
                return bad("refundLines", "refundLines must list at least one line")
            plan, error = _plan(ret, asked)
            if error:
                return bad(*error)
            for line, count in plan:
                line["refundedQty"] = line["refundedQty"] + count
                if line["refundedQty"] >= units(line["quantity"]):
                    line["status"], line["currentRefundStatus"] = "COMPLETED", "REFUND_COMPLETED"
                line["statusTime"] = emulator_data.stamp(clock.now())
            state.refunds.append({"returnOrderId": rid, "lines": [(line["returnOrderLineNumber"], count)
                                                                  for line, count in plan]})
        return jsonify({"returnOrderId": rid, "customerOrderId": ret["customerOrderId"],
                        "refundLines": [{"returnOrderLineNumber": line["returnOrderLineNumber"],
                                         "quantity": {"unitOfMeasure": "EACH", "measurementValue": count}}
                                        for line, count in plan]})

    _hooks(emu, state)
    return app


def _matches(ret: dict, args, bounds: dict) -> bool:
    if args.get("returnOrderId") and ret["returnOrderId"] != args["returnOrderId"]:
        return False
    if args.get("customerOrderId") and ret["customerOrderId"] != args["customerOrderId"]:
        return False
    if args.get("returnType") and ret.get("returnType") != args["returnType"]:
        return False
    if args.get("status") and not any(line.get("status") == args["status"] for line in ret["returnOrderLines"]):
        return False
    created = parse_time(ret["returnOrderDate"])
    modified = max(parse_time(line["statusTime"]) for line in ret["returnOrderLines"])
    for name, moment in bounds.items():
        value = created if "Creation" in name else modified
        if (name.endswith("StartDate") and value < moment) or (name.endswith("EndDate") and value > moment):
            return False
    return True


def _view(ret: dict) -> dict:
    """A stored return order as the API shows it (test-only keys left out)."""
    return {k: v for k, v in ret.items() if not k.startswith("_")}


def _plan(ret: dict, asked: list) -> tuple[list, tuple | None]:
    """[(line, units)] for a refund request, or the (field, description) Walmart refuses it with."""
    lines = {line["returnOrderLineNumber"]: line for line in ret["returnOrderLines"]}
    plan, taken = [], {}
    for entry in asked:
        if not isinstance(entry, dict):
            return [], ("refundLines", "each refund line is an object")
        number = entry.get("returnOrderLineNumber")
        if number is None and len(lines) == 1:
            number = next(iter(lines))
        if not isinstance(number, int) or number not in lines:
            return [], ("returnOrderLineNumber", f"return order {ret['returnOrderId']} has no line {number!r}")
        line = lines[number]
        quantity = entry.get("quantity")
        left = units(line["quantity"]) - line["refundedQty"] - taken.get(number, 0)
        if quantity is None:
            count = left
        else:
            if not isinstance(quantity, dict) or quantity.get("unitOfMeasure") not in UNITS_OF_MEASURE:
                return [], ("quantity.unitOfMeasure", f"Invalid unitOfMeasure "
                            f"{(quantity or {}).get('unitOfMeasure')!r}; allowed: {', '.join(UNITS_OF_MEASURE)}")
            count = units(quantity)
            if not count:
                return [], ("quantity.measurementValue", "measurementValue is a whole number of units above 0")
        if line["status"] == "CANCELLED":
            return [], ("returnOrderLineNumber", f"line {number} is cancelled and cannot be refunded")
        if count <= 0 or count > left:
            return [], ("quantity.measurementValue", f"refund quantity {count} for line {number} exceeds the "
                        f"{max(left, 0)} unit(s) not yet refunded")
        taken[number] = taken.get(number, 0) + count
        plan.append((line, count))
    return plan, None


def _hooks(emu: EmulatorApp, state: WalmartState) -> None:
    """Test hooks: seed, break (``unknown_status``, ``missing_id``, ``unknown_return_type``,
    ``missing_customer_order``), read state, expire tokens."""
    emu.seed_hook(state.seed, lambda made: {"returns": [r["returnOrderId"] for r in made]})
    emu.break_hook(lambda: emulator_data.make_return(state, lines=1), {
        "unknown_status": {("returnOrderLines", 0, "status"): "TELEPORTED"},
        "missing_id": {("returnOrderId",): DROP},
        "unknown_return_type": {("returnType",): "BARTER"},
        "missing_customer_order": {("customerOrderId",): DROP},
    }, lambda ret: {"returnOrderId": ret["returnOrderId"]}, lock=state.lock)
    emu.state_hook(lambda: {"returns": state.returns, "refunds": state.refunds}, lock=state.lock)
    emu.expire_tokens_hook(path="expire-tokens")



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's return orders, for the demo shop: one per customerOrderId."""
    state: WalmartState = app.extensions["walmart"]
    with state.lock:
        return [{"order_id": r["customerOrderId"],
                 "lines": [{"sku": line["item"]["sku"], "title": line["item"]["productName"],
                            "quantity": units(line["quantity"])} for line in r["returnOrderLines"]]}
                for r in state.returns.values() if r.get("customerOrderId")]


def emulator_settings(url: str) -> dict:
    """Connection settings that point the Walmart adapter at an emulator running at ``url``."""
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": url}


def main(argv=None) -> None:
    """``python -m returnhub_walmart.emulator --port 8767``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8767, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
