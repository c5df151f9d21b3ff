"""An emulator of Kaufland's Seller API v2 (returns, return units, subscriptions) on the hub's EmulatorApp.

What it holds the client to, as the API does: every request signed (``Shop-Client-Key``,
``Shop-Timestamp``, ``Shop-Signature`` over method, full URL as sent, body and timestamp), the
timestamp within 5 minutes of :mod:`hub.clock`, 401 ``ErrorResponse`` bodies with Kaufland's problem
types otherwise; enum, limit and offset checks (400); the unit status transitions of the
return-unit actions (403 when refused); ``message`` required for reject and clarify. Subscribed
``return_new`` notifications are delivered, signed, to the callback URL when a return is added.
Test hooks under ``/_emulator``.
"""
from __future__ import annotations

import json
import secrets
import threading
import uuid

import httpx
from flask import Flask, g, jsonify, request

from hub import clock
from hub.testing.emulation import EmulatorApp, hmac_signature, run_in_foreground
from returnhub_kaufland import emulator_data

CLIENT_KEY = "7bffc16ba2cc5ac1cbf527d6fa39263a"
SECRET_KEY = "a7d0cb1da1ddbc86c96ee5fedd341b7d8ebfbb2f5c83cfe0909f4e57f05dd403"
CLOCK_WINDOW = 300.0  # seconds a Shop-Timestamp may differ from the server's time
STOREFRONTS = ("de", "cz", "sk", "pl", "at", "fr", "it")  # the live API's; the 2.17.2 spec lists the first five
RETURN_STATUSES = ("return_requested", "label_generated", "package_sent", "package_received", "label_deleted")
UNIT_STATUSES = ("need_to_be_returned", "return_arrived", "return_accepted", "return_rejected", "return_closed",
                 "return_in_repair", "return_in_clarification")
# Which unit statuses each action may leave (the spec: clarify is for a unit "after it has been received";
# accepted, rejected and closed units are final). A unit already in the action's status is refused too.
ACTION_FROM = {
    "accept": {"need_to_be_returned", "return_arrived", "return_in_clarification", "return_in_repair"},
    "reject": {"return_arrived", "return_in_clarification", "return_in_repair"},
    "repair": {"return_arrived", "return_in_clarification"},
    "clarify": {"return_arrived", "return_in_repair"},
}
ACTION_TO = {"accept": "return_accepted", "reject": "return_rejected", "repair": "return_in_repair",
             "clarify": "return_in_clarification"}


class KauflandState:
    """The emulated seller account: returns, units, order units, subscriptions and notification deliveries."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clients = {CLIENT_KEY: SECRET_KEY}
        self.returns: dict[int, dict] = {}
        self.units: dict[int, dict] = {}
        self.order_units: dict[int, dict] = {}
        self.subscriptions: dict[int, dict] = {}
        self.deliveries: list[dict] = []
        self.notify = {"bad_signature": False, "drop": False, "duplicates": 1}
        self.next_id = 70000001
        self.clock_offset = 0.0  # seconds the platform's clock is ahead of hub.clock (a skew test)
        self._threads: list[threading.Thread] = []

    def take_id(self) -> int:
        """The next id (returns, units, order units and subscriptions share one sequence)."""
        with self.lock:
            self.next_id += 1
            return self.next_id - 1

    def seed(self, count: int, **kw) -> list[dict]:
        """Add ``count`` returns (see ``emulator_data.make_return``) and announce them to subscribers."""
        with self.lock:
            made = [emulator_data.make_return(self, **kw) for _ in range(count)]
        for ret in made:
            self.announce(ret)
        return made

    # -- views in the API's shapes ----------------------------------------------------------------
    @staticmethod
    def return_view(ret: dict) -> dict:
        """A return as the API shows it (``Return``)."""
        return {k: ret[k] for k in ("id_return", "ts_created_iso", "ts_updated_iso", "storefront", "tracking_provider",
                                    "tracking_code", "status", "fulfillment_type")}

    def unit_view(self, unit: dict) -> dict:
        """A return unit as the API shows it (``ReturnUnit``)."""
        return {k: unit[k] for k in ("id_return_unit", "id_return", "id_order_unit", "ts_created_iso", "status",
                                     "note", "reason", "storefront", "fulfillment_type")}

    # -- push notifications ---------------------------------------------------------------------------
    def announce(self, ret: dict) -> None:
        """Deliver ``return_new`` to every active subscription of the return's storefront (in the background)."""
        with self.lock:
            subs = [s for s in self.subscriptions.values() if s["is_active"] and s["event_name"] == "return_new"
                    and s["storefront"] == ret["storefront"]]
        for sub in subs:
            body = json.dumps({"event_name": "return_new", "id_message": uuid.uuid4().hex,
                               "resource": f"/returns/{ret['id_return']}", "storefront": ret["storefront"]})
            thread = threading.Thread(target=self._deliver, args=(sub, body), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _deliver(self, sub: dict, body: str) -> None:
        if self.notify["drop"]:
            self.deliveries.append({"url": sub["callback_url"], "status": None, "dropped": True})
            return
        secret = self.clients[sub["client_key"]] + ("-wrong" if self.notify["bad_signature"] else "")
        for _ in range(max(1, int(self.notify["duplicates"]))):
            stamp = str(int(clock.time()))
            mac = hmac_signature(secret, "\n".join(["POST", sub["callback_url"], body, stamp]))
            record = {"url": sub["callback_url"], "body": json.loads(body), "at": clock.time(), "status": None}
            try:
                resp = httpx.post(sub["callback_url"], content=body, timeout=5, headers={
                    "Content-Type": "application/json", "Shop-Timestamp": stamp, "Shop-Signature": mac})
                record["status"] = resp.status_code
            except httpx.HTTPError as exc:
                record["error"] = type(exc).__name__
            with self.lock:
                self.deliveries.append(record)

    def verify_callback(self, sub: dict) -> None:
        """The callback URL check a new subscription triggers (GET with a challenge; recorded, never blocking)."""
        challenge = secrets.token_hex(8)
        try:
            resp = httpx.get(sub["callback_url"], params={"mode": "subscribe", "challenge": challenge}, timeout=15)
            sub["verified"] = resp.status_code == 200 and resp.text.strip() == challenge
        except httpx.HTTPError:
            sub["verified"] = False

    def wait_deliveries(self, timeout: float = 10.0) -> None:
        """Join the delivery threads started so far (tests and the benchmark)."""
        for thread in list(self._threads):
            thread.join(timeout)


def _error(status: int, problem: str, message: str, errors: list | None = None):
    response = jsonify({"type": problem, "message": message, "errors": errors or []})
    response.status_code = status
    return response


def create_app(demo: bool = False, state: KauflandState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds 12 returns of the last days (arrived, on their way, two storefronts)."""
    state = state or KauflandState()
    emu = EmulatorApp(__name__)
    app = emu.app
    app.extensions["kaufland"] = state
    if demo:
        from datetime import timedelta
        for n in range(12):
            state.seed(1, storefront="de" if n % 4 else "at", age=timedelta(hours=6 * (12 - n)),
                       same_product=n % 3 == 0, unit_status="need_to_be_returned" if n % 5 == 4 else "return_arrived",
                       status="package_sent" if n % 5 == 4 else "package_received")

    @app.before_request
    def signed():
        if not request.path.startswith("/v2/"):
            return None
        key, stamp = request.headers.get("Shop-Client-Key"), request.headers.get("Shop-Timestamp")
        given = request.headers.get("Shop-Signature")
        for name, value in (("Shop-Client-Key", key), ("Shop-Timestamp", stamp), ("Shop-Signature", given)):
            if not value:
                return _error(401, "/problems/missing-or-invalid-request-header", f"Missing header {name}")
        secret = state.clients.get(key)
        if secret is None:
            return _error(401, "/problems/invalid-credentials", "Invalid client key")
        if not stamp.isdigit() or abs(clock.time() + state.clock_offset - int(stamp)) > CLOCK_WINDOW:
            return _error(401, "/problems/missing-or-invalid-request-header",
                          "Shop-Timestamp differs from the server time by more than 5 minutes")
        uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
        url = f"{request.scheme}://{request.host}{uri}"
        expected = hmac_signature(secret, "\n".join([request.method, url, request.get_data(as_text=True), stamp]))
        if not secrets.compare_digest(expected, given):
            return _error(401, "/problems/corrupted-signature", "Signature is corrupted")
        g.client_key = key
        return None

    def bad(field: str, message: str):
        return _error(400, "/problems/validation-error", "Request parameters have invalid values",
                      [{"field": field, "message": message}])

    def paging():
        try:
            limit, offset = int(request.args.get("limit", 30)), int(request.args.get("offset", 0))
        except ValueError:
            return None, bad("limit", "This value should be an integer.")
        if not 1 <= limit <= 100:
            return None, bad("limit", "This value should be between 1 and 100.")
        if offset < 0:
            return None, bad("offset", "This value should be 0 or more.")
        return (limit, offset), None

    def filters(statuses):
        sf = request.args.get("storefront")
        if sf is not None and sf not in STOREFRONTS:
            return None, bad("storefront", f"The value {sf!r} is not a valid storefront.")
        wanted = request.args.getlist("status")
        if any(s not in statuses for s in wanted):
            return None, bad("status", "One or more of the given values is invalid.")
        types = request.args.getlist("fulfillment_type") or ["fulfilled_by_merchant"]
        if any(t not in ("fulfilled_by_merchant", "fulfilled_by_kaufland") for t in types):
            return None, bad("fulfillment_type", "One or more of the given values is invalid.")
        if request.args.get("sort", "ts_created:desc") not in ("ts_created:desc", "ts_updated:desc"):
            return None, bad("sort", "The value is not a valid sort.")
        return (sf, set(wanted), set(types)), None

    def since(name: str):
        value = request.args.get(name)
        if not value:
            return None
        from hub.sdk.cursor import parse_time
        return parse_time(value)

    def page(rows: list[dict], limit: int, offset: int):
        return jsonify({"data": rows[offset:offset + limit],
                        "pagination": {"offset": offset, "limit": limit, "total": len(rows)}})

    @app.get("/v2/returns")
    def list_returns():
        window, error = paging()
        chosen, error = (None, error) if error else filters(RETURN_STATUSES)
        if error:
            return error
        sf, wanted, types = chosen
        created, updated = since("ts_created_from_iso"), since("ts_updated_from_iso")
        from hub.sdk.cursor import parse_time
        key = "ts_updated_iso" if request.args.get("sort") == "ts_updated:desc" else "ts_created_iso"
        with state.lock:
            rows = [state.return_view(r) for r in state.returns.values()
                    if (sf is None or r["storefront"] == sf) and (not wanted or r["status"] in wanted)
                    and r["fulfillment_type"] in types
                    and (created is None or parse_time(r["ts_created_iso"]) >= created)
                    and (updated is None or parse_time(r["ts_updated_iso"]) >= updated)]
        rows.sort(key=lambda r: (r[key], r["id_return"] or 0), reverse=True)
        return page(rows, *window)

    @app.get("/v2/returns/<int:id_return>")
    def get_return(id_return: int):
        embedded = set(request.args.getlist("embedded"))
        if embedded - {"buyer", "return_units"}:
            return bad("embedded", "One or more of the given values is invalid.")
        with state.lock:
            ret = state.returns.get(id_return)
            if ret is None:
                return _error(404, "/problems/not-found", "Return not found")
            body = state.return_view(ret)
            if "buyer" in embedded:
                body["buyer"] = ret["buyer"]
            if "return_units" in embedded:
                body["return_units"] = [state.unit_view(state.units[u]) for u in ret["unit_ids"]]
        return jsonify({"data": body})

    @app.get("/v2/return-units/<int:id_unit>")
    def get_return_unit(id_unit: int):
        embedded = set(request.args.getlist("embedded"))
        if embedded - {"return", "order_unit", "tickets"}:
            return bad("embedded", "One or more of the given values is invalid.")
        with state.lock:
            unit = state.units.get(id_unit)
            if unit is None:
                return _error(404, "/problems/not-found", "Return unit not found")
            body = {**state.unit_view(unit), "return": state.return_view(state.returns[unit["id_return"]])}
            if "order_unit" in embedded:
                order_unit = state.order_units.get(unit["id_order_unit"])
                if order_unit is None:
                    return _error(404, "/problems/not-found", "Order unit not found")
                body["order_unit"] = order_unit
            if "tickets" in embedded:
                body["tickets"] = []
        return jsonify({"data": body})

    @app.patch("/v2/return-units/<int:id_unit>/<action>")
    def act(id_unit: int, action: str):
        if action not in ACTION_TO:
            return _error(404, "/problems/not-found", "No such action")
        body = request.get_json(silent=True) if request.data else None
        if action in ("reject", "clarify"):
            if not isinstance(body, dict) or not str(body.get("message") or "").strip():
                return bad("message", "This value should not be blank.")
        elif body:
            return bad("body", "This action takes no body.")
        with state.lock:
            unit = state.units.get(id_unit)
            if unit is None:
                return _error(404, "/problems/not-found", "Return unit not found")
            if unit["fulfillment_type"] == "fulfilled_by_kaufland":
                return _error(403, "/problems/forbidden", "Return units fulfilled by Kaufland are handled by Kaufland")
            if unit["status"] not in ACTION_FROM[action]:
                return _error(403, "/problems/forbidden",
                              f"Return unit in status {unit['status']} cannot be set to {ACTION_TO[action]}")
            unit["status"] = ACTION_TO[action]
            unit.setdefault("messages", []).append({"action": action, "message": (body or {}).get("message")})
            state.returns[unit["id_return"]]["ts_updated_iso"] = emulator_data.iso(clock.now())
        return "", 204

    # -- subscriptions ------------------------------------------------------------------------------
    def subscription_view(sub: dict) -> dict:
        return {k: sub[k] for k in ("id_subscription", "callback_url", "fallback_email", "event_name", "is_active",
                                    "storefront")}

    @app.get("/v2/subscriptions")
    def list_subscriptions():
        sf, event = request.args.get("storefront"), request.args.get("event_name")
        with state.lock:
            rows = [subscription_view(s) for s in state.subscriptions.values() if s["client_key"] == g.client_key
                    and (sf is None or s["storefront"] == sf) and (event is None or s["event_name"] == event)]
        return page(rows, min(int(request.args.get("limit", 30)), 30), int(request.args.get("offset", 0)))

    @app.post("/v2/subscriptions")
    def add_subscription():
        sf, body = request.args.get("storefront"), request.get_json(silent=True)
        if sf not in STOREFRONTS:
            return bad("storefront", "A valid storefront is required.")
        if not isinstance(body, dict):
            return bad("body", "A JSON object is required.")
        for name in ("callback_url", "fallback_email", "event_name"):
            if not str(body.get(name) or "").strip():
                return bad(name, "This value should not be blank.")
        if len(body["callback_url"]) > 255:
            return bad("callback_url", "This value is too long. It should have 255 characters or less.")
        with state.lock:
            sub = {"id_subscription": state.take_id(), "callback_url": body["callback_url"],
                   "fallback_email": body["fallback_email"], "event_name": body["event_name"], "is_active": True,
                   "storefront": sf, "client_key": g.client_key, "verified": None}
            state.subscriptions[sub["id_subscription"]] = sub
        threading.Thread(target=state.verify_callback, args=(sub,), daemon=True).start()
        return jsonify({"data": subscription_view(sub)}), 201

    @app.route("/v2/subscriptions/<int:id_sub>", methods=["GET", "PATCH", "DELETE"])
    def one_subscription(id_sub: int):
        with state.lock:
            sub = state.subscriptions.get(id_sub)
            if sub is None or sub["client_key"] != g.client_key:
                return _error(404, "/problems/not-found", "Subscription not found")
            if request.method == "DELETE":
                del state.subscriptions[id_sub]
                return "", 204
            if request.method == "PATCH":
                body = request.get_json(silent=True) or {}
                for name in ("callback_url", "fallback_email", "event_name", "is_active"):
                    if name in body:
                        sub[name] = body[name]
            return jsonify({"data": subscription_view(sub)})

    _hooks(emu, state)
    return app


def _hooks(emu: EmulatorApp, state: KauflandState) -> None:
    """Test hooks: seed, break, move units, read state and notification deliveries, arm notification faults."""
    app = emu.app
    emu.seed_hook(state.seed, lambda made: {"returns": [{"id_return": r["id_return"], "units": r["unit_ids"]}
                                                        for r in made]})

    def missing_id(ret: dict) -> None:
        state.returns[-ret["id_return"]] = state.returns.pop(ret["id_return"])
        ret["id_return"] = None

    def missing_order_unit(ret: dict) -> None:
        del state.order_units[state.units[ret["unit_ids"][0]]["id_order_unit"]]

    emu.break_hook(lambda: emulator_data.make_return(state, units=1),
                   {"unknown_status": {("status",): "return_teleported"}, "missing_id": missing_id,
                    "missing_order_unit": missing_order_unit},
                   lambda ret: {"id_return": ret["id_return"], "units": ret["unit_ids"]}, lock=state.lock)
    emu.state_hook(lambda: {"returns": {str(k): v for k, v in state.returns.items()},
                            "units": {str(k): v for k, v in state.units.items()},
                            "subscriptions": list(state.subscriptions.values())}, lock=state.lock)

    @app.post("/_emulator/units/<int:id_unit>")
    def unit_hook(id_unit: int):
        with state.lock:
            state.units[id_unit]["status"] = (request.get_json(force=True) or {})["status"]
        return jsonify(state.units[id_unit])

    @app.route("/_emulator/notifications", methods=["GET", "POST"])
    def notifications_hook():
        if request.method == "POST":
            state.notify.update(request.get_json(force=True) or {})
        state.wait_deliveries()
        return jsonify(settings=state.notify, deliveries=state.deliveries)



def demo_orders(app: Flask) -> list[dict]:
    """The orders behind the emulator's returns, for the demo shop: one per id_order, a line per order unit."""
    state: KauflandState = app.extensions["kaufland"]
    orders: dict[str, dict] = {}
    with state.lock:
        for unit in state.units.values():
            ou = state.order_units.get(unit["id_order_unit"])
            if ou is None:
                continue
            order = orders.setdefault(ou["id_order"], {"order_id": ou["id_order"], "lines": []})
            order["lines"].append({"sku": ou["id_offer"], "ean": ou["product"]["eans"][0],
                                   "title": ou["product"]["title"], "quantity": 1})
    return list(orders.values())


def emulator_settings(url: str) -> dict:
    """Connection settings that point the Kaufland adapter at an emulator running at ``url``."""
    return {"client_key": CLIENT_KEY, "secret_key": SECRET_KEY, "api_base_url": f"{url}/v2",
            "storefronts": ["de", "at"]}


def main(argv=None) -> None:
    """``python -m returnhub_kaufland.emulator --port 8766``: run the emulator (demo data) in the foreground."""
    run_in_foreground(lambda: create_app(demo=True), port=8766, argv=argv, description=main.__doc__)


if __name__ == "__main__":
    main()
