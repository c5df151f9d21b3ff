"""An emulator of TikTok Shop's Return and Refund API (202309) on the hub's EmulatorApp.

What it holds the client to (research §9, UNVERIFIED where the README says so): every request signed
(``app_key``, ``timestamp`` within 5 minutes of :mod:`hub.clock`, ``sign`` over secret + path + sorted
query + body + secret), ``x-tts-access-token`` and ``shop_cipher`` present; decision and status enums
checked; ``idempotency_key`` required on decisions, a reused key replays the first answer and a reused key
with a different body is refused; the reject reason must be one the reject-reasons endpoint offers. Access
tokens expire by :mod:`hub.clock` (105002 with HTTP 401; an unknown one is 105001); ``GET /api/v2/token/refresh``
(the token host, served here too) takes the app key and secret and a refresh token, which it rotates.
"""
from __future__ import annotations

import hashlib
import random
import secrets
import threading
from datetime import timedelta

from flask import Flask, g, jsonify, request

from hub import clock
from hub.sdk.signing import tiktok_signature
from hub.testing.emulation import EmulatorApp, run_in_foreground
from returnhub_tiktok import mapping

APP_KEY = "6abc1demoappkey"
APP_SECRET = "e59af819cc2b4f1f2f0f6a7e0demo0secret"
ACCESS_TOKEN = "ROW_demo-access-token"  # a fixed token that never expires (connections without refresh token)
REFRESH_TOKEN = "ROW_demo-refresh-token"
ACCESS_TTL = 7 * 86400  # third-party notes: access tokens live 7 days, refresh tokens about a year
REFRESH_TTL = 365 * 86400
SHOP_CIPHER = "ROW_demoShopCipher"
CLOCK_WINDOW = 300.0
PREFIX = "/return_refund/202309"
REJECT_REASONS = [{"name": "seller_reject_apply_product_damaged", "text": "Product was damaged by the buyer"},
                  {"name": "seller_reject_apply_no_reason", "text": "Return window expired"},
                  {"name": "seller_reject_receive_wrong_item", "text": "Received the wrong item"}]
RETURN_REASON = ("ecom_order_delivered_refund_and_return_reason_damaged", "Arrived damaged")  # name, text
PRODUCTS = [("Wireless Earbuds Pro", "EAR-PRO-1", "29.99"), ("LED Ring Light 10in", "RING-10", "19.50"),
            ("Phone Case Clear", "CASE-CLR", "7.99"), ("Hair Straightener", "HAIR-ST2", "45.00")]


class TikTokState:
    """The emulated shop: returns, decisions applied, idempotency keys seen."""

    def __init__(self):
        self.lock = threading.RLock()
        self.returns: dict[str, dict] = {}
        self.decisions: list[dict] = []  # every decision applied (not replays)
        self.keys: dict[str, tuple[str, dict]] = {}  # idempotency_key -> (body digest, answer data)
        self.next_id = 5760000000000001
        self.clock_offset = 0.0
        self.access_tokens: dict[str, float] = {ACCESS_TOKEN: float("inf")}  # token -> expiry (hub.clock epoch)
        self.refresh_tokens: dict[str, float] = {REFRESH_TOKEN: clock.time() + REFRESH_TTL}

    def issue(self) -> dict:
        """A new access and refresh token, as /api/v2/token/refresh answers them (expiries as Unix times)."""
        access, refresh = f"ROW_{secrets.token_hex(16)}", f"ROW_{secrets.token_hex(16)}"
        now = clock.time()
        self.access_tokens[access] = now + ACCESS_TTL
        self.refresh_tokens[refresh] = now + REFRESH_TTL
        return {"access_token": access, "access_token_expire_in": int(now + ACCESS_TTL), "refresh_token": refresh,
                "refresh_token_expire_in": int(now + REFRESH_TTL), "open_id": "demo-open-id",
                "seller_name": "Demo Seller", "seller_base_region": "GB", "user_type": 0}

    def expire_access_tokens(self) -> None:
        """Every access token issued by refresh stops working now (as if it had run out early)."""
        with self.lock:
            for token in self.access_tokens:
                if token != ACCESS_TOKEN:
                    self.access_tokens[token] = clock.time()

    def seed(self, count: int, *, return_type: str = "RETURN_AND_REFUND",
             status: str = "RETURN_OR_REFUND_REQUEST_PENDING", items: int | None = None,
             age: timedelta = timedelta(0)) -> list[dict]:
        """Add ``count`` returns; give them."""
        made = []
        with self.lock:
            for _ in range(count):
                rid = str(self.next_id)
                self.next_id += 1
                rnd = random.Random(int(rid))
                stamp = int((clock.now() - age).timestamp())
                name, sku, price = PRODUCTS[rnd.randrange(len(PRODUCTS))]
                lines = [{"return_line_item_id": f"{rid}{n}", "order_line_item_id": f"57{rid[2:]}{n}",
                          "sku_id": f"17{rnd.randrange(10**8):08d}", "seller_sku": sku, "product_name": name,
                          "refund_amount": {"currency": "GBP", "refund_total": price}}
                         for n in range(items or rnd.randint(1, 2))]
                ret = {"return_id": rid, "order_id": f"57{rid[2:]}", "return_type": return_type,
                       "return_status": status, "create_time": stamp, "update_time": stamp,
                       "return_reason": RETURN_REASON[0],
                       "return_reason_text": RETURN_REASON[1], "return_line_items": lines}
                self.returns[rid] = ret
                made.append(ret)
        return made


def envelope(data=None, code: int = 0, message: str = "Success", status: int = 200):
    """TikTok's answer envelope: ``{code, message, request_id, data}``."""
    response = jsonify({"code": code, "message": message, "request_id": secrets.token_hex(8), "data": data or {}})
    response.status_code = status
    return response


def create_app(demo: bool = False, state: TikTokState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds 10 returns of the last days (requested, refund-only, shipped back)."""
    state = state or TikTokState()
    emu = EmulatorApp(__name__)
    app = emu.app
    app.extensions["tiktok"] = state
    if demo:
        for n in range(10):
            state.seed(1, age=timedelta(hours=5 * (10 - n)),
                       return_type="REFUND" if n % 4 == 0 else "RETURN_AND_REFUND",
                       status="BUYER_SHIPPED_ITEM" if n % 3 == 2 else "RETURN_OR_REFUND_REQUEST_PENDING")

    @app.before_request
    def signed():
        if not request.path.startswith("/return_refund/"):
            return None
        args = request.args
        if args.get("app_key") != APP_KEY:
            return envelope(code=106010, message="invalid app_key", status=401)
        stamp = args.get("timestamp", "")
        if not stamp.isdigit() or abs(clock.time() + state.clock_offset - int(stamp)) > CLOCK_WINDOW:
            return envelope(code=106011, message="timestamp expired or invalid", status=401)
        pairs = [(k, v) for k in args for v in args.getlist(k)]
        expected = tiktok_signature(APP_SECRET, request.path, pairs, request.get_data())
        if not secrets.compare_digest(expected, args.get("sign", "")):
            return envelope(code=106001, message="invalid sign", status=401)
        token = request.headers.get("x-tts-access-token") or ""
        with state.lock:
            expiry = state.access_tokens.get(token)
        if expiry is None:
            return envelope(code=105001, message="access token missing or invalid", status=401)
        if expiry <= clock.time():
            return envelope(code=105002, message="access token expired", status=401)
        if args.get("shop_cipher") != SHOP_CIPHER:
            return envelope(code=106013, message="invalid shop_cipher", status=400)
        g.body = request.get_json(silent=True) if request.data else None
        return None

    def bad(message: str):
        return envelope(code=36009003, message=message, status=400)

    @app.post(f"{PREFIX}/returns/search")
    def search():
        body = g.body if isinstance(g.body, dict) else {}
        try:
            size = int(request.args.get("page_size", 10))
        except ValueError:
            return bad("page_size must be an integer")
        if not 1 <= size <= 100:
            return bad("page_size must be between 1 and 100")
        if request.args.get("sort_field", "create_time") not in ("create_time", "update_time"):
            return bad("unknown sort_field")
        if request.args.get("sort_order", "DESC") not in ("ASC", "DESC"):
            return bad("unknown sort_order")
        wanted = body.get("return_status") or []
        if any(s not in mapping.RETURN_STATUSES for s in wanted):
            return bad("unknown return_status")
        ge, lt, ids = body.get("update_time_ge"), body.get("update_time_lt"), body.get("return_ids")
        with state.lock:
            rows = [dict(r) for r in state.returns.values()
                    if (ge is None or r["update_time"] >= ge) and (lt is None or r["update_time"] < lt)
                    and (not ids or r["return_id"] in ids) and (not wanted or r["return_status"] in wanted)]
        key = request.args.get("sort_field", "create_time")
        rows.sort(key=lambda r: (r[key], r["return_id"]), reverse=request.args.get("sort_order", "DESC") == "DESC")
        token = request.args.get("page_token")
        try:
            start = int(token.split(":", 1)[1]) if token else 0
            if token and not token.startswith("pt:"):
                raise ValueError
        except (ValueError, IndexError):
            return bad("invalid page_token")
        page = rows[start:start + size]
        more = start + size < len(rows)
        return envelope({"return_orders": page, "total_count": len(rows),
                         "next_page_token": f"pt:{start + size}" if more else ""})

    @app.get(f"{PREFIX}/reject_reasons")
    def reject_reasons():
        if request.args.get("return_or_cancel_id") not in state.returns:
            return bad("unknown return_or_cancel_id")
        return envelope({"reasons": REJECT_REASONS})

    @app.post(f"{PREFIX}/returns/<return_id>/<verb>")
    def decide(return_id: str, verb: str):
        if verb not in ("approve", "reject"):
            return envelope(code=40400, message="not found", status=404)
        key = request.args.get("idempotency_key", "")
        if not 1 <= len(key) <= 255:
            return bad("idempotency_key is required (1 to 255 characters)")
        body = g.body if isinstance(g.body, dict) else {}
        digest = hashlib.sha256(f"{request.path}|{request.get_data(as_text=True)}".encode()).hexdigest()
        with state.lock:
            if key in state.keys:
                seen, answer = state.keys[key]
                if seen != digest:
                    return bad("idempotency_key was used with a different request")
                return envelope(answer)
            enums = mapping.APPROVE_DECISIONS if verb == "approve" else mapping.REJECT_DECISIONS
            if body.get("decision") not in enums:
                return bad(f"unknown decision {body.get('decision')!r} for {verb}")
            ret = state.returns.get(return_id)
            if ret is None:
                return envelope(code=25020001, message="return not found", status=404)
            if verb == "reject" and body.get("reject_reason") not in {r["name"] for r in REJECT_REASONS}:
                return bad("reject_reason must be one of the reject reasons offered")
            found = [(v, e, to) for (t, s, _), (v, e, to) in mapping.ACTIONS.items()
                     if t == ret["return_type"] and s == ret["return_status"] and e == body["decision"]]
            if not found:
                return envelope(code=25020010, message=f"return in status {ret['return_status']} cannot take "
                                f"{body['decision']}", status=200)
            ret["return_status"] = found[0][2]
            ret["update_time"] = int(clock.time())
            state.decisions.append({"return_id": return_id, "verb": verb, "key": key, **body})
            state.keys[key] = (digest, {})
        return envelope({})

    @app.get("/api/v2/token/refresh")
    def token_refresh():
        args = request.args
        if args.get("app_key") != APP_KEY or args.get("app_secret") != APP_SECRET:
            return envelope(code=36004004, message="invalid app_key or app_secret")
        if args.get("grant_type") != "refresh_token":
            return envelope(code=36004002, message=f"unsupported grant_type {args.get('grant_type')!r}")
        with state.lock:
            if state.refresh_tokens.pop(args.get("refresh_token", ""), 0) <= clock.time():
                return envelope(code=36004003, message="refresh token invalid, used or expired")
            return envelope(state.issue())

    _hooks(emu, state)
    return app


def _hooks(emu: EmulatorApp, state: TikTokState) -> None:
    """Test hooks: seed, break (``unknown_status``, ``no_items``), expire tokens, read state."""
    emu.seed_hook(state.seed, lambda made: {"returns": [r["return_id"] for r in made]})
    emu.break_hook(lambda: state.seed(1)[0], {
        "unknown_status": {("return_status",): "RETURN_TELEPORTED"},
        "no_items": {("return_line_items",): []},
    }, lambda ret: {"return_id": ret["return_id"]}, lock=state.lock)
    emu.expire_tokens_hook(state.expire_access_tokens, path="expire_tokens")
    emu.state_hook(lambda: {"returns": state.returns, "decisions": state.decisions}, lock=state.lock)



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's returns, for the demo shop."""
    state: TikTokState = app.extensions["tiktok"]
    with state.lock:
        return [{"order_id": r["order_id"],
                 "lines": [{"sku": i["seller_sku"], "title": i["product_name"], "quantity": 1}
                           for i in r["return_line_items"]]} for r in state.returns.values()]


def emulator_settings(url: str) -> dict:
    """Connection settings that point the TikTok adapter at an emulator running at ``url``."""
    return {"app_key": APP_KEY, "app_secret": APP_SECRET, "access_token": ACCESS_TOKEN, "shop_cipher": SHOP_CIPHER,
            "api_base_url": url, "auth_base_url": url}


def main(argv=None) -> None:
    """``python -m returnhub_tiktok.emulator --port 8770``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8770, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
