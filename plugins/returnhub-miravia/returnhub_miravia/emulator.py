"""An emulator of Miravia's Open Platform gateway (the reverse-order subset) on the hub's EmulatorApp.

What it holds the client to (README: confirmed facts and UNVERIFIED assumptions): every call under ``/rest``
signed (``app_key``, ``sign_method=sha256``, ``timestamp`` in ms within 5 minutes of :mod:`hub.clock`, ``sign`` =
upper-case hex HMAC-SHA256 over the API path and every sorted parameter, read here from the request as it
arrived); a live ``access_token`` on every business call (``IllegalAccessToken`` when unknown or expired);
``/auth/token/create`` (an authorization code) and ``/auth/token/refresh`` (a refresh token, rotated on every
use: the old one is refused afterwards); decisions only on lines still open, for items of that order, an
accepted refund at most what the lines refund, a reject reason offered by the reason list. Errors come as
Miravia sends them: HTTP 200 with ``{type, code, message, request_id}``.
"""
from __future__ import annotations

import json
import random
import secrets
import threading
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, g, jsonify, redirect, request

from hub import clock
from hub.sdk.signing import lazada_signature
from hub.testing.emulation import DROP, EmulatorApp, run_in_foreground
from returnhub_miravia import mapping
from returnhub_miravia.reasons import REASONS

APP_KEY = "500404"
APP_SECRET = "miravia-demo-app-secret-0f3c9a"
REFRESH_TOKEN = "50001600demoRefreshToken"
GATEWAY = "/rest"
CLOCK_WINDOW = 300.0  # UNVERIFIED: how far the gateway lets a timestamp be off
ACCESS_TTL = 7 * 86400  # UNVERIFIED: set per app category
REFRESH_TTL = 30 * 86400
TOKEN_FREE = ("/auth/token/create", "/auth/token/refresh")
REJECT_REASONS = [{"reason_id": "1007", "text": "Item is not damaged/defective as claimed by customer"},
                  {"reason_id": "1022", "text": "Others"}]
PRODUCTS = [("Zapatillas urbanas", "ZAP-URB-42", 3999), ("Vestido de lino", "VES-LIN-M", 4595),
            ("Auriculares inalambricos", "AUR-BT-01", 2950), ("Mochila de viaje", "MOC-VIA-30", 3250)]


class MiraviaState:
    """The emulated seller: reverse orders, tokens (by hub.clock), decisions applied."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reverse_orders: dict[str, dict] = {}
        self.decisions: list[dict] = []
        self.access_tokens: dict[str, float] = {}  # token -> expiry (hub.clock epoch)
        self.refresh_tokens: dict[str, float] = {REFRESH_TOKEN: clock.time() + REFRESH_TTL}
        self.codes: set[str] = set()
        self.next_id = 6589606001020061

    def seed(self, count: int, *, request_type: str = "RETURN", status: str = "REQUEST_INITIATE",
             lines: int | None = None, age: timedelta = timedelta(0)) -> list[dict]:
        """Add ``count`` reverse orders; give them."""
        made = []
        with self.lock:
            for _ in range(count):
                rid = self.next_id
                self.next_id += 10
                rnd = random.Random(rid)
                stamp = int((clock.now() - age).timestamp())
                order_id = rid - 2411000000000000
                reason = list(REASONS)[rnd.randrange(len(REASONS))]
                rows = []
                for n in range(lines or rnd.randint(1, 2)):
                    name, sku, cents = PRODUCTS[rnd.randrange(len(PRODUCTS))]
                    rows.append({"reverse_order_line_id": rid + 100 + n, "trade_order_line_id": order_id + 100 + n,
                                 "reverse_status": status, "ofc_status": "RTM_INIT", "platform_sku_id": f"1{sku}",
                                 "seller_sku_id": sku, "product_name": name, "reason_text": reason,
                                 "refund_amount": cents, "refund_currency": "EUR", "refund_item_counts": 1,
                                 "is_dispute": False, "return_order_line_gmt_create": stamp,
                                 "return_order_line_gmt_modified": stamp})
                ret = {"reverse_order_id": rid, "trade_order_id": order_id, "request_type": request_type,
                       "country": "ES", "shipping_type": "DROPSHIP", "reverse_order_lines": rows}
                self.reverse_orders[str(rid)] = ret
                made.append(ret)
        return made

    def issue(self) -> dict:
        """A new access and refresh token, as /auth/token/* answer them."""
        access, refresh = f"50000{secrets.token_hex(20)}", f"50001{secrets.token_hex(20)}"
        self.access_tokens[access] = clock.time() + ACCESS_TTL
        self.refresh_tokens[refresh] = clock.time() + REFRESH_TTL
        return {"access_token": access, "refresh_token": refresh, "expires_in": ACCESS_TTL,
                "refresh_expires_in": REFRESH_TTL, "account_platform": "miravia", "country": "es",
                "account": "seller@example.es", "country_user_info": [{"country": "es", "seller_id": "1000143772"}]}

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (as if Miravia revoked or expired them early)."""
        with self.lock:
            self.access_tokens.clear()


def answer(data=None, **extra):
    return jsonify({"code": "0", "request_id": secrets.token_hex(12), **({"data": data} if data is not None else {}),
                    **extra})


def error(code: str, message: str, kind: str = "ISV"):
    """Miravia's error envelope: HTTP 200, ``{type, code, message, request_id}``."""
    return jsonify({"type": kind, "code": code, "message": message, "request_id": secrets.token_hex(12)})


def create_app(demo: bool = False, state: MiraviaState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds 10 reverse orders of the last days (returns and refund-only)."""
    state = state or MiraviaState()
    emu = EmulatorApp(__name__)
    app = emu.app
    app.extensions["miravia"] = state
    if demo:
        for n in range(10):
            state.seed(1, age=timedelta(hours=5 * (10 - n)), request_type="ONLY_REFUND" if n % 4 == 0 else "RETURN")

    @app.before_request
    def signed():
        if not request.path.startswith(GATEWAY + "/"):
            return None
        api_path = request.path[len(GATEWAY):]
        params = [(k, v) for source in (request.args, request.form) for k in source for v in source.getlist(k)]
        values = dict(params)
        if values.get("app_key") != APP_KEY:
            return error("InvalidAppKey", "The app key is invalid")
        if values.get("sign_method") != "sha256":
            return error("InvalidSignMethod", f"unsupported sign_method {values.get('sign_method')!r}")
        stamp = values.get("timestamp", "")
        if not stamp.isdigit() or abs(clock.time() - int(stamp) / 1000) > CLOCK_WINDOW:
            return error("InvalidTimestamp", "timestamp is missing or out of the allowed window")
        if not secrets.compare_digest(lazada_signature(APP_SECRET, api_path, params), values.get("sign", "")):
            return error("IncompleteSignature", "The request signature does not conform to platform standards")
        if api_path not in TOKEN_FREE:
            token = values.get("access_token")
            with state.lock:
                live = state.access_tokens.get(token or "", 0) > clock.time()
            if not token:
                return error("MissingAccessToken", "missing required parameter: access_token")
            if not live:
                return error("IllegalAccessToken", "The specified access token is invalid or expired")
        g.params = values
        return None

    _token_routes(app, state)
    _reverse_routes(app, state)
    _hooks(emu, state)
    return app


def _token_routes(app: Flask, state: MiraviaState) -> None:
    @app.post(f"{GATEWAY}/auth/token/create")
    def token_create():
        with state.lock:
            if g.params.get("code") not in state.codes:
                return error("InvalidCode", "The authorization code is invalid or was used already")
            state.codes.discard(g.params["code"])
            return answer(**state.issue())

    @app.post(f"{GATEWAY}/auth/token/refresh")
    def token_refresh():
        with state.lock:
            given = g.params.get("refresh_token", "")
            if state.refresh_tokens.pop(given, 0) <= clock.time():
                return error("IllegalRefreshToken", "The specified refresh token is invalid or expired")
            return answer(**state.issue())

    @app.get("/apps/oauth/authorize")
    def authorize():
        """The seller logs in and agrees at once: back to the app's callback with a code."""
        args = request.args
        if args.get("response_type") != "code" or args.get("client_id") != APP_KEY or not args.get("redirect_uri"):
            return jsonify(error="invalid authorization request"), 400
        code = f"0_{APP_KEY}_{secrets.token_hex(12)}"
        with state.lock:
            state.codes.add(code)
        query = {"code": code, **({"state": args["state"]} if args.get("state") else {})}
        return redirect(f"{args['redirect_uri']}?{urlencode(query)}")


def _reverse_routes(app: Flask, state: MiraviaState) -> None:
    @app.get(f"{GATEWAY}/reverse/getreverseordersforseller")
    def reverse_orders():
        p = g.params
        try:
            page_no, size = int(p.get("page_no", 1)), int(p.get("page_size", 10))
            start = int(p["reverse_order_line_time_range_start_time_stamp"]) / 1000 \
                if "reverse_order_line_time_range_start_time_stamp" in p else None
            end = int(p["reverse_order_line_time_range_end_time_stamp"]) / 1000 \
                if "reverse_order_line_time_range_end_time_stamp" in p else None
        except ValueError:
            return error("InvalidParameter", "page_no, page_size and the time range are numbers")
        if page_no < 1 or not 1 <= size <= 200:
            return error("InvalidParameter", "page_no starts at 1; page_size is 1 to 200")
        for status in filter(None, p.get("reverse_status_list", "").split(",")):
            if status not in mapping.STATUSES:
                return error("InvalidParameter", f"unknown reverse status {status!r}")
        with state.lock:
            rows = [json.loads(json.dumps(r)) for r in state.reverse_orders.values()
                    if (not p.get("reverse_order_id") or str(r.get("reverse_order_id")) == p["reverse_order_id"])]
        rows = [r for r in rows if _created(r) is None or ((start is None or _created(r) >= start)
                                                          and (end is None or _created(r) < end))]
        rows.sort(key=lambda r: (_created(r) or 0, r.get("reverse_order_id") or 0))
        page = rows[(page_no - 1) * size: page_no * size]
        return answer({"total": len(rows), "page_no": page_no, "page_size": size, "items": page})

    @app.get(f"{GATEWAY}/order/reverse/reason/list")
    def reason_list():
        line_id = g.params.get("reverse_order_line_id")
        if not line_id:
            return error("103", "E0103: reverse order line id is empty when query reject reason")
        if _line(state, line_id) is None:
            return error("106", "E0106: no reverse order line " + line_id)
        return answer([{**r, "muti_language_text": r["text"]} for r in REJECT_REASONS])

    @app.post(f"{GATEWAY}/v2/order/returnRefund/<verb>")
    def decide(verb: str):
        if verb not in ("accept", "reject"):
            return error("InvalidApiPath", "unknown API path"), 404
        p = g.params
        try:
            item_ids = [str(i) for i in json.loads(p.get("OrderItemIdList", ""))]
        except (ValueError, TypeError):
            return error("InvalidParameter", "OrderItemIdList must be a JSON list of order item ids")
        if not item_ids or len(set(item_ids)) != len(item_ids):
            return error("InvalidParameter", "OrderItemIdList is empty or repeats an item")
        with state.lock:
            found = _items(state, p.get("OrderId", ""), item_ids)
            if isinstance(found, str):
                return error("InvalidParameter", found)
            bad = [str(line["trade_order_line_id"]) for ret, line in found
                   if (ret["request_type"], line["reverse_status"], verb) not in mapping.OUTCOMES]
            if bad:
                return error("InvalidStatus", f"order items {bad} cannot be {verb}ed in their current status")
            if verb == "accept":
                refusal = _check_amount(p.get("RefundAmount"), found)
            else:
                refusal = _check_reject(p, found)
            if refusal:
                return error("InvalidParameter", refusal)
            for ret, line in found:
                line["reverse_status"] = mapping.OUTCOMES[(ret["request_type"], line["reverse_status"], verb)]
                line["return_order_line_gmt_modified"] = int(clock.time())
            state.decisions.append({"verb": verb, "order_id": p["OrderId"], "items": item_ids,
                                    **{k: p[k] for k in ("RefundAmount", "reasonId", "comment") if k in p}})
        return answer([{"order_id": int(p["OrderId"]), "order_item_id": int(i), "status": "SUCCESS"}
                       for i in item_ids], errors=[])


def _created(row: dict) -> float | None:
    stamps = [line.get("return_order_line_gmt_create") for line in row.get("reverse_order_lines") or []
              if isinstance(line, dict) and isinstance(line.get("return_order_line_gmt_create"), int)]
    return min(stamps) if stamps else None


def _line(state: MiraviaState, reverse_order_line_id: str) -> dict | None:
    for ret in state.reverse_orders.values():
        for line in ret.get("reverse_order_lines") or []:
            if str(line.get("reverse_order_line_id")) == reverse_order_line_id:
                return line
    return None


def _items(state: MiraviaState, order_id: str, item_ids: list[str]):
    """[(reverse order, line)] for these order items of this order, or why not."""
    found = {}
    for ret in state.reverse_orders.values():
        if str(ret.get("trade_order_id")) != order_id:
            continue
        for line in ret.get("reverse_order_lines") or []:
            if str(line.get("trade_order_line_id")) in item_ids:
                found[str(line["trade_order_line_id"])] = (ret, line)
    missing = [i for i in item_ids if i not in found]
    if not found and not any(str(r.get("trade_order_id")) == order_id for r in state.reverse_orders.values()):
        return f"no reverse order for OrderId {order_id!r}"
    if missing:
        return f"order items {missing} have no reverse order in order {order_id}"
    return [found[i] for i in item_ids]


def _check_amount(value, found) -> str | None:
    if value is None or not str(value).isdigit():
        return "RefundAmount is mandatory, a whole number of cents"
    most = sum(int(line.get("refund_amount") or 0) for _, line in found)
    return f"RefundAmount {value} exceeds the refundable {most}" if int(value) > most else None


def _check_reject(params: dict, found) -> str | None:
    if not (params.get("comment") or "").strip():
        return "comment is mandatory for a rejection"
    if params.get("reasonId") not in {r["reason_id"] for r in REJECT_REASONS}:
        return f"reasonId {params.get('reasonId')!r} is not one the reason list offers"
    return None


def _hooks(emu: EmulatorApp, state: MiraviaState) -> None:
    """Test hooks: seed, break (``unknown_status``, ``unknown_type``, ``no_lines``, ``no_id``), expire tokens."""
    emu.seed_hook(state.seed, lambda made: {"reverse_orders": [r["reverse_order_id"] for r in made]})
    emu.break_hook(lambda: state.seed(1)[0], {
        "unknown_status": {("reverse_order_lines", 0, "reverse_status"): "TELEPORTED"},
        "unknown_type": {("request_type",): "SWAP_MEET"},
        "no_lines": {("reverse_order_lines",): []},
        "no_id": {("reverse_order_id",): DROP},
    }, lambda ret: {"ok": True}, lock=state.lock)
    emu.expire_tokens_hook(state.expire_access_tokens, path="expire_tokens")



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's reverse orders, for the demo shop."""
    state: MiraviaState = app.extensions["miravia"]
    with state.lock:
        return [{"order_id": str(r["trade_order_id"]),
                 "lines": [{"sku": line["seller_sku_id"], "title": line["product_name"], "quantity": 1}
                           for line in r["reverse_order_lines"]]} for r in state.reverse_orders.values()]


def emulator_settings(url: str) -> dict:
    """Connection settings that point the Miravia adapter at an emulator running at ``url``."""
    return {"app_key": APP_KEY, "app_secret": APP_SECRET, "refresh_token": REFRESH_TOKEN,
            "api_base_url": url.rstrip("/") + GATEWAY, "authorize_url": url.rstrip("/") + "/apps/oauth/authorize"}


def main(argv=None) -> None:
    """``python -m returnhub_miravia.emulator --port 8771``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8771, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
