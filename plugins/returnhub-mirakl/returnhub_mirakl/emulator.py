"""An emulator of the Mirakl MMP seller API for several operators at once, on the SDK's EmulatorApp.

Each operator has its own base path (``/<operator>/api/...``; the first one also at ``/api/...``),
its own shop API key, returns (RT11/RT21/RT25/RT26/RT27/RT29), orders (OR11) and refunds (OR28).
It refuses what Mirakl refuses: a wrong key (401), an unknown return, a transition from the wrong
state, more than 100 returns in one call, an unknown reason code, a refund above what was ordered.
Faults (429 with Retry-After, 5xx, dropped answers) come from the toolkit's injector.
"""
from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import jsonify, request

from hub import clock
from hub.sdk.cursor import iso, parse_time
from hub.testing.emulation import BadPagingValue, EmulatorApp, decode_token, encode_token
from returnhub_mirakl.settings import NON_COMPLIANCE_CODES, REJECTION_CODES

DEFAULT_OPERATORS = ("mediamarkt", "leroy_merlin", "decathlon")
REFUND_REASONS = ("RETURN", "DAMAGED", "OTHER")
RETURN_REASONS = ("RETURN_CHANGED_MIND", "RETURN_DEFECTIVE_ITEM", "RETURN_DPD_WRONG_SIZE", "RETURN_BROKEN_ITEM")
LIMIT = 100


def api_key(operator: str) -> str:
    """The emulator's shop API key of ``operator``."""
    return f"emu-{operator}-shop-key"


@dataclass
class Operator:
    """One operator's data in the emulator."""

    key: str
    returns_module: bool = True
    returns: dict[str, dict] = field(default_factory=dict)
    orders: dict[str, dict] = field(default_factory=dict)


class MiraklState:
    """Every operator the emulator serves; ``seed`` adds returns (and their orders) to one of them."""

    def __init__(self, operators=DEFAULT_OPERATORS):
        self.operators = {key: Operator(key) for key in operators}
        self.default = operators[0]
        self.lock = threading.RLock()
        self._seq = itertools.count(1)

    def op(self, key: str | None) -> Operator:
        return self.operators[key or self.default]

    def _now(self):
        return clock.now().replace(microsecond=0)

    def _order(self, op: Operator, lines: list[tuple[int, float]], *, incident: bool = False) -> dict:
        n = next(self._seq)
        order_id = f"{op.key.upper()[:3]}{100000 + n}-A"
        now = iso(self._now() - timedelta(days=3))
        address = {"city": "Utrecht", "country": "Netherlands", "country_iso_code": "NLD", "firstname": "Jan",
                   "lastname": f"Jansen {n}", "street_1": f"Oudegracht {n}", "zip_code": "3511 AB",
                   "phone": "+31301234567"}
        order_lines = []
        for i, (quantity, price) in enumerate(lines, start=1):
            order_lines.append({
                "can_refund": True, "cancelations": [], "category_code": "tv", "category_label": "TV",
                "commission_fee": round(price * quantity * 0.1, 2), "commission_rate_vat": 21.0,
                "commission_vat": 0.0, "created_date": now, "description": f"Item {i}", "last_updated_date": now,
                "offer_id": 5000 + n * 10 + i, "offer_sku": f"SKU-{n}-{i}",
                "offer_state_code": "11", "order_line_additional_fields": [], "order_line_id": f"{order_id}-{i}",
                "order_line_index": i, "order_line_state": "INCIDENT_OPEN" if incident else "RECEIVED",
                "price": round(price * quantity, 2), "price_unit": price, "product_medias": [],
                "product_sku": f"P-{n}-{i}", "product_title": f"Product {n}.{i}", "quantity": quantity,
                "refunds": [], "shipping_price": 0.0, "total_commission": round(price * quantity * 0.1, 2),
                "total_price": round(price * quantity, 2)})
        total = round(sum(line["price"] for line in order_lines), 2)
        order = {
            "can_cancel": False, "can_shop_ship": False, "commercial_id": order_id[:-2], "created_date": now,
            "currency_iso_code": "EUR",
            "customer": {"billing_address": dict(address), "customer_id": f"C{n}", "firstname": "Jan",
                         "lastname": f"Jansen {n}", "shipping_address": dict(address)},
            "fulfillment": {"center": {"code": "DEFAULT"}}, "fully_refunded": False, "has_customer_message": False,
            "has_incident": incident, "has_invoice": True, "last_updated_date": iso(self._now()),
            "leadtime_to_ship": 2, "order_id": order_id, "order_lines": order_lines, "order_state": "RECEIVED",
            "order_tax_mode": "TAX_INCLUDED", "paymentType": "CREDIT_CARD", "price": total, "shipping_price": 0.0,
            "shipping_type_code": "STD", "shipping_type_label": "Standard", "shipping_zone_code": "NL",
            "shipping_zone_label": "Netherlands", "total_commission": round(total * 0.1, 2), "total_price": total}
        op.orders[order_id] = order
        return order

    def seed(self, operator: str | None = None, count: int = 1, *, lines: int = 1, quantity: int = 1,
             price: float = 49.95, state: str = "WAITING_ACCEPTANCE", method: str = "RETURN_METHOD_BY_MAIL") -> list:
        """``count`` new returns of ``operator`` (its default when None), each on its own order."""
        with self.lock:
            op = self.op(operator)
            made = []
            for _ in range(count):
                order = self._order(op, [(quantity, price)] * lines)
                now = iso(self._now())
                ret = {"id": str(uuid.uuid4()), "rma": f"RMA{next(self._seq)}", "order_id": order["order_id"],
                       "order_commercial_id": order["commercial_id"], "state": state, "date_created": now,
                       "last_updated": now, "method_code": method, "reason_code": RETURN_REASONS[0],
                       "return_address": {"street1": "Returns street 1", "city": "Venlo", "zip_code": "5928 PA",
                                          "country_iso_code": "NLD"},
                       "return_lines": [{"order_line_id": ol["order_line_id"], "quantity": quantity,
                                         "reason_code": RETURN_REASONS[i % len(RETURN_REASONS)]}
                                        for i, ol in enumerate(order["order_lines"])]}
                op.returns[ret["id"]] = ret
                made.append(ret)
            return made

    def seed_incident(self, operator: str | None = None, *, lines: int = 1, quantity: int = 1,
                      price: float = 19.95) -> dict:
        """An order whose lines have an open incident (an operator without the returns module)."""
        with self.lock:
            return self._order(self.op(operator), [(quantity, price)] * lines, incident=True)

    def touch(self, ret: dict) -> None:
        ret["last_updated"] = iso(self._now())

    def refunded(self, operator: str | None, order_id: str) -> dict[str, int]:
        """Units refunded per order line of an order."""
        order = self.op(operator).orders.get(order_id) or {}
        return {ol["order_line_id"]: sum(r["quantity"] for r in ol["refunds"]) for ol in order.get("order_lines", [])}


def _mirakl_error(status: int, message: str):
    response = jsonify({"message": message, "status": status})
    response.status_code = status
    return response


def create_app(demo: bool = False, state: MiraklState | None = None, operators=DEFAULT_OPERATORS):
    """The emulator's WSGI app; ``demo`` seeds returns for every operator."""
    state = state or MiraklState(operators)
    emu = EmulatorApp(__name__)
    app = emu.app
    app.extensions["mirakl"] = state
    if demo:
        for key in state.operators:
            state.seed(key, 3, lines=2, quantity=1)
            state.seed(key, 1, lines=1, quantity=2)

    def route(rule: str, **options):
        def register(view):
            name = view.__name__
            app.add_url_rule(rule, name, view, defaults={"operator": None}, **options)
            app.add_url_rule(f"/<operator>{rule}", f"{name}_op", view, **options)
            return view
        return register

    def current(operator):
        """The operator of this base path and key, or an error answer."""
        if operator is not None and operator not in state.operators:
            return None, _mirakl_error(404, "Not Found")
        op = state.op(operator)
        if request.headers.get("Authorization") != api_key(op.key):
            return None, _mirakl_error(401, "Unauthorized")
        return op, None

    def _module(op):
        if not op.returns_module:
            return _mirakl_error(404, "The returns module is not activated on this marketplace")
        return None

    @route("/api/returns", methods=["GET"])
    def list_returns(operator):
        op, failed = current(operator)
        if failed:
            return failed
        failed = _module(op)
        if failed:
            return failed
        args = request.args
        try:
            limit = int(args.get("limit", 10))
            if not 1 <= limit <= LIMIT:
                raise BadPagingValue(f"limit must be between 1 and {LIMIT}")
            start = decode_token(args["page_token"])["o"] if args.get("page_token") else 0
            bounds = {k: parse_time(args[k]) for k in ("return_last_updated_from", "return_last_updated_to",
                                                        "return_creation_date_from", "return_creation_date_to")
                      if args.get(k)}
        except (BadPagingValue, ValueError) as exc:
            return _mirakl_error(400, str(exc))
        ids, states = set(args.getlist("return_id")), set(args.getlist("return_state"))
        with state.lock:
            rows = sorted(op.returns.values(), key=lambda r: (r["last_updated"], r["id"]))
            rows = [r for r in rows if (not ids or r["id"] in ids) and (not states or r["state"] in states)
                    and _within(r["last_updated"], bounds.get("return_last_updated_from"),
                                bounds.get("return_last_updated_to"))
                    and _within(r["date_created"], bounds.get("return_creation_date_from"),
                                bounds.get("return_creation_date_to"))]
            page = [dict(r) for r in rows[start:start + limit]]
        body = {"data": page}
        if start + limit < len(rows):
            body["next_page_token"] = encode_token(start + limit)
        return jsonify(body)

    def batch_view(op_name: str, apply):
        def view(operator):
            op, failed = current(operator)
            if failed:
                return failed
            failed = _module(op)
            if failed:
                return failed
            body = request.get_json(silent=True)
            entries = body.get("returns") if isinstance(body, dict) else None
            if not isinstance(entries, list) or not entries:
                return _mirakl_error(400, "returns: at least one return is required")
            if len(entries) > LIMIT:
                return _mirakl_error(400, f"returns: at most {LIMIT} returns per call, got {len(entries)}")
            success, errors = [], []
            with state.lock:
                for entry in entries:
                    rid = str((entry or {}).get("id") or "")
                    ret = op.returns.get(rid)
                    problem = "Return not found" if ret is None else apply(ret, entry)
                    if problem:
                        errors.append({"id": rid, "message": problem})
                    else:
                        state.touch(ret)
                        success.append({"id": rid})
            return jsonify({"return_success": success, "return_errors": errors})
        view.__name__ = f"returns_{op_name}"
        return view

    def accept(ret, entry):
        if not isinstance(entry.get("accepted"), bool):
            return "accepted is required"
        if ret["state"] != "WAITING_ACCEPTANCE":
            return f"Return is in state {ret['state']}, expected WAITING_ACCEPTANCE"
        if entry["accepted"]:
            ret["state"] = "IN_PROGRESS"
        else:
            code = entry.get("rejection_reason_code")
            if code not in REJECTION_CODES:
                return f"Unknown rejection reason code {code!r}"
            ret["state"], ret["rejection_reason_code"] = "REFUSED", code
        return None

    def receive(ret, entry):
        if ret["state"] != "IN_PROGRESS":
            return f"Return is in state {ret['state']}, expected IN_PROGRESS"
        ret["state"] = "RECEIVED"
        return None

    def compliance(ret, entry):
        if ret["state"] != "RECEIVED":
            return f"Return is in state {ret['state']}, expected RECEIVED"
        lines = {rl["order_line_id"]: rl for rl in ret["return_lines"]}
        given = entry.get("return_lines") or []
        for item in given:
            rl = lines.get(item.get("order_line_id"))
            if rl is None:
                return f"Unknown order line {item.get('order_line_id')!r}"
            if not isinstance(item.get("compliant"), bool):
                return "compliant is required"
            if not item["compliant"] and item.get("non_compliance_reason_code") not in NON_COMPLIANCE_CODES:
                return f"Unknown non compliance reason code {item.get('non_compliance_reason_code')!r}"
            if rl.get("compliance"):
                return f"Order line {rl['order_line_id']} already has a compliance"
        for item in given:
            verdict = {"compliant": item["compliant"]}
            if not item["compliant"]:
                verdict["non_compliance_reason_code"] = item["non_compliance_reason_code"]
            lines[item["order_line_id"]]["compliance"] = [verdict]
        return None

    def close(ret, entry):
        if ret["state"] not in ("IN_PROGRESS", "RECEIVED"):
            return f"Return is in state {ret['state']}, it cannot be closed"
        ret["state"] = "CLOSED"
        return None

    def cancel(ret, entry):
        if ret["state"] not in ("WAITING_ACCEPTANCE", "IN_PROGRESS"):
            return f"Return is in state {ret['state']}, it cannot be canceled"
        ret["state"] = "CANCELED"
        return None

    for name, apply in (("accept", accept), ("receive", receive), ("compliance", compliance), ("close", close),
                        ("cancel", cancel)):
        route(f"/api/returns/{name}", methods=["PUT"])(batch_view(name, apply))

    @route("/api/orders", methods=["GET"])
    def list_orders(operator):
        op, failed = current(operator)
        if failed:
            return failed
        args = request.args
        try:
            offset, limit = int(args.get("offset", 0)), int(args.get("max", 10))
            if offset < 0 or not 1 <= limit <= LIMIT:
                raise ValueError(f"max must be between 1 and {LIMIT}, offset at least 0")
            start = parse_time(args["start_update_date"]) if args.get("start_update_date") else None
            end = parse_time(args["end_update_date"]) if args.get("end_update_date") else None
        except ValueError as exc:
            return _mirakl_error(400, str(exc))
        ids = {i for i in (args.get("order_ids") or "").split(",") if i}
        incident = args.get("has_incident")
        with state.lock:
            rows = sorted(op.orders.values(), key=lambda o: (o["created_date"], o["order_id"]))
            rows = [o for o in rows if (not ids or o["order_id"] in ids)
                    and (incident is None or o["has_incident"] == (incident == "true"))
                    and _within(o["last_updated_date"], start, end)]
            page = [_copy(o) for o in rows[offset:offset + limit]]
        return jsonify({"orders": page, "total_count": len(rows)})

    @route("/api/orders/refund", methods=["PUT"])
    def refund(operator):
        op, failed = current(operator)
        if failed:
            return failed
        body = request.get_json(silent=True)
        refunds = body.get("refunds") if isinstance(body, dict) else None
        if not isinstance(refunds, list) or not refunds:
            return _mirakl_error(400, "refunds: at least one refund is required")
        with state.lock:
            lines = {ol["order_line_id"]: (o, ol) for o in op.orders.values() for ol in o["order_lines"]}
            for item in refunds:
                found = lines.get(item.get("order_line_id"))
                if found is None:
                    return _mirakl_error(400, f"Unknown order line {item.get('order_line_id')!r}")
                if item.get("reason_code") not in REFUND_REASONS:
                    return _mirakl_error(400, f"Unknown refund reason code {item.get('reason_code')!r}")
                _, ol = found
                done = sum(r["quantity"] for r in ol["refunds"])
                quantity = int(item.get("quantity") or 0)
                if quantity < 1 or done + quantity > ol["quantity"]:
                    return _mirakl_error(400, f"Order line {ol['order_line_id']}: cannot refund {quantity} more "
                                              f"unit(s), {ol['quantity'] - done} left")
                if float(item.get("amount", 0)) > ol["price_unit"] * quantity + 0.001:
                    return _mirakl_error(400, f"Order line {ol['order_line_id']}: amount above the price")
            answer = []
            for item in refunds:
                order, ol = lines[item["order_line_id"]]
                rid = str(next(state._seq))
                now = iso(state._now())
                ol["refunds"].append({"amount": float(item["amount"]), "commission_amount": 0.0,
                                      "commission_tax_amount": 0.0, "commission_taxes": [],
                                      "commission_total_amount": 0.0, "created_date": now, "id": rid,
                                      "order_refund_id": f"R{rid}", "quantity": int(item["quantity"]),
                                      "reason_code": item["reason_code"], "refund_state": "WAITING_REFUND",
                                      "state": "WAITING_REFUND", "shipping_amount": float(item["shipping_amount"])})
                ol["last_updated_date"] = order["last_updated_date"] = now
                if sum(r["quantity"] for r in ol["refunds"]) >= ol["quantity"]:
                    ol["order_line_state"] = "WAITING_REFUND"
                answer.append({"amount": float(item["amount"]), "order_line_id": ol["order_line_id"],
                               "order_refund_id": f"R{rid}", "quantity": int(item["quantity"]),
                               "reason_code": item["reason_code"], "refund_id": rid,
                               "shipping_amount": float(item["shipping_amount"])})
        return jsonify({"order_tax_mode": "TAX_INCLUDED", "refunds": answer})

    # -- test hooks -------------------------------------------------------------------------------
    @app.post("/_emulator/seed")
    def seed_hook():
        body = request.get_json(force=True) or {}
        made = state.seed(body.get("operator"), int(body.get("count", 1)), lines=int(body.get("lines", 1)),
                          quantity=int(body.get("quantity", 1)), state=body.get("state", "WAITING_ACCEPTANCE"))
        return jsonify(returns=made)

    @app.post("/_emulator/module")
    def module_hook():
        body = request.get_json(force=True) or {}
        state.op(body.get("operator")).returns_module = bool(body.get("enabled", True))
        return jsonify(ok=True)

    return app


def _copy(order: dict) -> dict:
    return {**order, "order_lines": [{**ol, "refunds": list(ol["refunds"])} for ol in order["order_lines"]]}


def _within(stamp: str, start, end) -> bool:
    moment = parse_time(stamp)
    return (start is None or moment >= start) and (end is None or moment <= end)


def emulator_settings(url: str, operator: str | None = None) -> dict:
    """Connection settings for ``operator`` (the emulator's default operator at the root when None)."""
    key = operator or DEFAULT_OPERATORS[0]
    base = url.rstrip("/") + (f"/{operator}" if operator else "")
    return {"instance": key, "base_url": base, "api_key": api_key(key), "batch_wait_seconds": 0.05}


def demo_orders(app) -> list[dict]:
    """The orders behind the demo returns of the default operator, for the demo shop."""
    state: MiraklState = app.extensions["mirakl"]
    op = state.op(None)
    out = []
    for order in op.orders.values():
        out.append({"order_id": order["order_id"],
                    "lines": [{"sku": ol["offer_sku"], "ean": None, "quantity": ol["quantity"],
                               "title": ol["product_title"]}
                              for ol in order["order_lines"]]})
    return out
