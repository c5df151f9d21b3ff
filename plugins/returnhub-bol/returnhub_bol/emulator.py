"""An emulator of the bol.com API subset the plugin uses (tests, demo), on hub.testing's EmulatorApp.

As retailer-api-v10.json / shared-api-v10.json describe it: ``POST /token`` (the login host), expiring bearer
tokens, the versioned media type, ``/retailer/returns`` in pages of 50, ``/retailer/returns/{id}``, ``PUT
/retailer/returns/{rma-id}`` answered 202 with a PENDING process status that ends SUCCESS, FAILURE or TIMEOUT
after ``process_delay`` s and is deleted ``status_retention`` s later (then 404), ``/shared/process-status``;
``GET /retailer/orders/{order-id}`` (the orders behind the seeded returns, and ``BolState.order()``), ``POST
/retailer/returns`` (plain JSON: a return created for an order item and handled at once, at most the shipped
units not returned yet; its status has the event CREATE_RETURN_ITEM and the order item as entity); the
``-demo`` paths too. The toolkit gives the ledger, faults, rate limits and the token endpoint.
"""
from __future__ import annotations

import argparse
import itertools
import random
import threading

from flask import jsonify, request

from hub import clock
from hub.testing.emulation import EmulatorApp
from returnhub_bol.samples import customer, iso, order_item, orders_behind, sample_return

MEDIA_TYPE = "application/vnd.retailer.v10+json"
PAGE_SIZE = 50
CLIENT_ID = "emulator-client"
CLIENT_SECRET = "emulator-secret"
HANDLING_RESULTS = ["RETURN_RECEIVED", "EXCHANGE_PRODUCT", "RETURN_DOES_NOT_MEET_CONDITIONS",
                    "REPAIR_PRODUCT", "CUSTOMER_KEEPS_PRODUCT_PAID", "STILL_APPROVED"]
CREATE_RESULTS = HANDLING_RESULTS[:-1]  # CreateReturnRequest.handlingResult: no STILL_APPROVED
EVENT_TYPES = frozenset(["CREATE_SHIPMENT", "CANCEL_ORDER", "CHANGE_TRANSPORT", "HANDLE_RETURN_ITEM",
    "CREATE_RETURN_ITEM", "CREATE_INBOUND", "DELETE_OFFER", "CREATE_OFFER", "UPDATE_OFFER", "UPDATE_OFFER_STOCK",
    "UPDATE_OFFER_PRICE", "CREATE_OFFER_EXPORT", "UNPUBLISHED_OFFER_REPORT", "CREATE_PRODUCT_CONTENT",
    "CREATE_SUBSCRIPTION", "UPDATE_SUBSCRIPTION", "DELETE_SUBSCRIPTION", "SEND_SUBSCRIPTION_TST_MSG",
    "CREATE_SHIPPING_LABEL", "CREATE_REPLENISHMENT", "UPDATE_REPLENISHMENT", "REQUEST_PRODUCT_DESTINATIONS",
    "CREATE_SOV_SEARCH_TERM_REPORT", "CREATE_SOV_CATEGORY_REPORT", "UPLOAD_INVOICE",
    "CREATE_CAMPAIGN_PERFORMANCE_REPORT"])  # the event-type enum of shared-api-v10.json
REDUCED_ONLY = ("title", "trackAndTrace", "transporterName", "customerDetails")
BAD_REQUEST = "Error validating request. Consult the bol.com API documentation for more information."

def _answer(body, status: int = 200):
    resp = jsonify(body)
    resp.status_code, resp.mimetype = status, MEDIA_TYPE
    return resp


def _problem(status: int, title: str, detail: str, violations=()):
    """bol's Problem document (shared by both API descriptions), in the versioned media type."""
    return _answer({"type": "https://api.bol.com/problems", "title": title, "status": status, "detail": detail,
                    "host": "emulator", "instance": request.url, "violations": list(violations)}, status)


def _invalid(name: str, reason: str) -> dict:
    return {"name": name, "reason": f"Request contains invalid value(s): {reason}"}


class BolState:
    """The emulator's bol: returns, process statuses, and the outcomes a test arranges for an rmaId."""

    def __init__(self, rng_seed: int = 7):
        self.lock = threading.RLock()
        self.rng = random.Random(rng_seed)
        self.returns: dict[str, dict] = {}
        self.orders: dict[str, dict] = {}  # GET /retailer/orders/{order-id}: the orders behind the returns, and more
        self.created_units: dict[str, int] = {}  # orderItemId -> units returned through POST /retailer/returns
        self.statuses: dict[str, dict] = {}
        self.listed_as: dict[str, str] = {}  # raw returns listed under a method they do not carry
        self.process_delay = 0.2  # seconds until a PENDING status finishes
        self.status_retention = 48 * 3600.0  # seconds a finished status is kept (UNVERIFIED: 48 h or 1 day)
        self.list_customer_details = False  # bol's list omits them; True emulates a list that has them
        self.fail_rma: dict[str, str] = {}  # rmaId -> errorMessage of its next FAILURE
        self.timeout_rma: set[str] = set()  # rmaIds whose next handling ends TIMEOUT, not applied
        self._ids = {"return": itertools.count(61000000), "rma": itertools.count(31000000),
                     "order": itertools.count(4012000000), "status": itertools.count(1000),
                     "order_item": itertools.count(2090000000)}

    # -- seeding ------------------------------------------------------------------------------
    def add_raw(self, ret: dict, listed_as: str | None = None) -> dict:
        """Store a return as given (malformed allowed); ``listed_as`` lists it under that filter."""
        with self.lock:
            key = str(ret.get("returnId") or f"raw-{next(self._ids['return'])}")
            self.returns[key] = ret
            if listed_as:
                self.listed_as[key] = listed_as
            return ret

    def seed(self, count: int = 1, *, fulfilment: str | None = None, items: int | None = None,
             quantity: int | None = None, single_order: bool = False) -> list[dict]:
        """Realistic returns: FBR or FBB, 1-3 items (sometimes from two orders unless ``single_order``),
        1-3 units each."""
        with self.lock:
            made = [sample_return(self.rng, self._ids, fulfilment=fulfilment, items=items, quantity=quantity,
                                  single_order=single_order) for _ in range(count)]
            self.returns.update((r["returnId"], r) for r in made)
            for ret in made:
                self._orders_behind(ret)
        return made

    def _orders_behind(self, ret: dict) -> None:
        """Each returned item's order (Order of retailer-api-v10.json), one order item per EAN."""
        for item in ret["returnItems"]:
            order = self.orders.setdefault(item["orderId"], {
                "orderId": item["orderId"], "pickupPoint": False, "orderPlacedDateTime": ret["registrationDateTime"],
                "shipmentDetails": dict(item["customerDetails"]), "billingDetails": dict(item["customerDetails"]),
                "orderItems": []})
            order["orderItems"].append(order_item(str(next(self._ids["order_item"])), item["ean"], item["title"],
                                                  item["expectedQuantity"], ret["fulfilmentMethod"]))

    def order(self, items: int = 1, quantity: int = 1, fulfilment: str = "FBR") -> dict:
        """A new shipped order of ``items`` products, ``quantity`` units each, nothing returned yet."""
        from returnhub_bol.samples import PEOPLE, PRODUCTS
        with self.lock:
            order_id = str(next(self._ids["order"]))
            person = self.rng.choice(PEOPLE)
            self.orders[order_id] = {
                "orderId": order_id, "pickupPoint": False, "orderPlacedDateTime": iso(),
                "shipmentDetails": customer(person), "billingDetails": customer(person),
                "orderItems": [order_item(str(next(self._ids["order_item"])), ean, title, quantity, fulfilment)
                               for ean, title in self.rng.sample(PRODUCTS, items)]}
            return self.orders[order_id]

    def find_order_item(self, order_item_id: str):
        for order in self.orders.values():
            for item in order["orderItems"]:
                if item["orderItemId"] == order_item_id:
                    return item, order
        return None, None

    def seed_demo(self) -> list[dict]:
        """The demo's 25 returns: 19 FBR (single and multi-item, some of several units), 6 FBB; one order each."""
        return (self.seed(14, fulfilment="FBR", single_order=True)
                + self.seed(4, fulfilment="FBR", items=2, quantity=2, single_order=True)
                + self.seed(1, fulfilment="FBR", items=3, single_order=True)
                + self.seed(5, fulfilment="FBB", single_order=True)
                + self.seed(1, fulfilment="FBB", items=2, quantity=3, single_order=True))

    def demo_orders(self) -> list[dict]:
        """The orders behind the returns (see :func:`returnhub_bol.samples.orders_behind`)."""
        with self.lock:
            return orders_behind(list(self.returns.values()))

    # -- behaviour ----------------------------------------------------------------------------
    def find_item(self, rma_id: str):
        for ret in self.returns.values():
            for item in ret.get("returnItems") or []:
                if isinstance(item, dict) and str(item.get("rmaId")) == rma_id:
                    return item, ret
        return None, None

    def new_status(self, rma_id: str, body: dict, event: str = "HANDLE_RETURN_ITEM") -> dict:
        sid = str(next(self._ids["status"]))
        what = (f"Create return for order item {rma_id}." if event == "CREATE_RETURN_ITEM"
                else f"Handle return item with rmaId {rma_id}.")
        self.statuses[sid] = {
            "processStatusId": sid, "entityId": rma_id, "eventType": event,
            "description": what, "status": "PENDING",
            "createTimestamp": iso(), "links": [], "_body": body, "_due": clock.time() + self.process_delay}
        return self.statuses[sid]

    def settle(self) -> None:
        """Finish every PENDING status whose time has come; forget those finished longer than the retention."""
        now = clock.time()
        for sid, status in list(self.statuses.items()):
            if status["status"] == "PENDING" and status["_due"] <= now:
                self._finish(status)
                status["_done"] = now
            if status["status"] != "PENDING" and status["_done"] + self.status_retention <= now:
                del self.statuses[sid]

    def _finish(self, status: dict) -> None:
        """Apply one handling as bol does: per item, at most the expected quantity, re-handling allowed
        (the spec: "change the handlingResult of an already handled return"), STILL_APPROVED only then."""
        if status["eventType"] == "CREATE_RETURN_ITEM":
            self._create_return(status)
            return
        rma_id, body = status["entityId"], status["_body"]
        item, ret = self.find_item(rma_id)
        if rma_id in self.timeout_rma:
            self.timeout_rma.discard(rma_id)
            status.update(status="TIMEOUT", errorMessage="The request timed out; it was not processed.")
            return
        error = self.fail_rma.pop(rma_id, None)
        if error is None and item is None:
            error = f"Return item with rmaId {rma_id} not found."
        elif error is None and ret.get("fulfilmentMethod") == "FBB":
            error = f"Return item {rma_id} is fulfilled by bol.com and cannot be handled by the retailer."
        elif error is None and body["handlingResult"] == "STILL_APPROVED" and not item.get("handled"):
            error = f"Return item {rma_id} is not handled yet: STILL_APPROVED changes an earlier handling."
        elif error is None and body["quantityReturned"] > item.get("expectedQuantity", 0):
            error = (f"quantityReturned {body['quantityReturned']} exceeds the expected quantity "
                     f"{item.get('expectedQuantity')} of return item {rma_id}.")
        if error:
            status.update(status="FAILURE", errorMessage=error)
            return
        item["handled"] = True
        item.setdefault("processingResults", []).append({
            "quantity": body["quantityReturned"], "processingResult": "ACCEPTED",
            "handlingResult": body["handlingResult"], "processingDateTime": iso()})
        status["status"] = "SUCCESS"


    def _create_return(self, status: dict) -> None:
        """``POST /retailer/returns`` processed: a return of at most the shipped units not returned yet, handled at
        once with the given result (bol: "Create a return, and automatically handle it")."""
        order_item_id, body = status["entityId"], status["_body"]
        item, order = self.find_order_item(order_item_id)
        if item is None:
            status.update(status="FAILURE", errorMessage=f"Order item {order_item_id} not found.")
            return
        returned = self.created_units.get(order_item_id, 0)
        if body["quantityReturned"] > item["quantityShipped"] - returned:
            status.update(status="FAILURE", errorMessage=f"quantityReturned {body['quantityReturned']} exceeds the "
                                                         f"{item['quantityShipped'] - returned} returnable units of "
                                                         f"order item {order_item_id}.")
            return
        self.created_units[order_item_id] = returned + body["quantityReturned"]
        return_id = str(next(self._ids["return"]))
        self.returns[return_id] = {
            "returnId": return_id, "registrationDateTime": iso(), "fulfilmentMethod": item["fulfilment"]["method"],
            "returnItems": [{"rmaId": str(next(self._ids["rma"])), "orderId": order["orderId"],
                             "ean": item["product"]["ean"],
                             "title": item["product"]["title"], "expectedQuantity": body["quantityReturned"],
                             "returnReason": {"mainReason": "Anders"}, "handled": True,
                             "processingResults": [{"quantity": body["quantityReturned"],
                                                    "processingResult": "ACCEPTED",
                                                    "handlingResult": body["handlingResult"],
                                                    "processingDateTime": iso()}],
                             "customerDetails": dict(order["shipmentDetails"])}]}
        status.update(status="SUCCESS", description=f"Create return for order item {order_item_id}: return id "
                                                    f"{return_id}.")


def _public(status: dict, shared: str) -> dict:
    """A process status as bol shows it: internal fields dropped, a self link."""
    out = {k: v for k, v in status.items() if not k.startswith("_")}
    out["links"] = [{"rel": "self", "href": f"{request.host_url.rstrip('/')}{shared}/process-status/"
                                           f"{status['processStatusId']}"}]
    return out


def _handled(ret: dict) -> bool:
    items = ret.get("returnItems") or []
    return bool(items) and all(isinstance(i, dict) and i.get("handled") for i in items)


def _reduced(ret: dict, keep: tuple = ()) -> dict:
    """A return as bol's list shows it (ReducedReturn: no title, transport or customer details)."""
    drop = [k for k in REDUCED_ONLY if k not in keep]
    items = ret.get("returnItems")
    if not isinstance(items, list):
        return dict(ret)
    return {**ret, "returnItems": [{k: v for k, v in i.items() if k not in drop} if isinstance(i, dict) else i
                                   for i in items]}


def _page(violations: list) -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        violations.append(_invalid("page", "must be at least 1."))
        return 1
    return int(raw)


def _handling(allowed: list[str], id_violations) -> tuple[dict, int | None, list[dict]]:
    """A handling request's body, its quantity, and its violations as bol lists them: the id's
    (``id_violations(body)``), then ``handlingResult`` (one of ``allowed``), then ``quantityReturned``."""
    body = request.get_json(silent=True, force=True)
    body = body if isinstance(body, dict) else {}
    qty, violations = _quantity(body.get("quantityReturned")), id_violations(body)
    if body.get("handlingResult") not in allowed:
        violations.append(_invalid("handlingResult", f"'{body.get('handlingResult')}', allowed values: "
                                                     f"{', '.join(allowed)}."))
    if qty is None:
        violations.append(_invalid("quantityReturned", "must be a whole number between 1 and 9999."))
    return body, qty, violations


def _quantity(value) -> int | None:
    """quantityReturned as bol's JSON binding reads it: an integer, or a numeric string ("2")."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999 else None


def create_app(demo: bool = False, *, state: BolState | None = None):
    """The emulator app; ``demo`` seeds the 25 demo returns. ``app.extensions["bol"]`` is the state,
    ``app.extensions["emulation"]`` the toolkit (ledger, faults, limits, tokens, token endpoint)."""
    emu = EmulatorApp(__name__)
    app, st = emu.app, state or BolState()
    if demo:
        st.seed_demo()
    app.extensions["bol"] = st
    emu.oauth2({CLIENT_ID: CLIENT_SECRET}, path="/token", ttl=299, scope="RETAILER")

    @app.before_request
    def gate():  # runs after the toolkit's ledger and rate limits
        if request.path.startswith("/_emulator") or request.path == "/token":
            return None
        if emu.tokens.check() is None:
            return _problem(401, "Unauthorized", "Missing, invalid or expired access token.")
        if MEDIA_TYPE not in (request.headers.get("Accept") or ""):
            return _problem(406, "Not Acceptable", f"Accept must be {MEDIA_TYPE}.")
        wanted = "application/json" if request.method == "POST" and request.path.endswith("/returns") else MEDIA_TYPE
        if request.method in ("PUT", "POST") and request.mimetype != wanted:
            return _problem(415, "Unsupported Media Type", f"Content-Type must be {wanted}.")
        with st.lock:
            st.settle()
        return None

    def list_returns(shared):
        violations: list = []
        page = _page(violations)
        method, handled = request.args.get("fulfilment-method"), request.args.get("handled")
        if method is not None and method not in ("FBR", "FBB"):
            violations.append(_invalid("fulfilment-method", f"'{method}', allowed values: FBR, FBB."))
        if handled is not None and handled.lower() not in ("true", "false"):  # a boolean, in any case
            violations.append(_invalid("handled", f"'{handled}', must be a boolean."))
        if violations:
            return _problem(400, BAD_REQUEST, "Bad request", violations)
        with st.lock:
            rows = [r for key, r in st.returns.items()
                    if (method is None or st.listed_as.get(key, r.get("fulfilmentMethod")) == method)
                    and (handled is None or _handled(r) == (handled.lower() == "true"))]
            rows.sort(key=lambda r: str(r.get("registrationDateTime", "")), reverse=(handled or "").lower() == "true")
            keep = ("customerDetails",) if st.list_customer_details else ()
            rows = [_reduced(r, keep) for r in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
        return _answer({"returns": rows})

    def get_or_handle(shared, ident):
        if request.method == "GET":
            with st.lock:
                ret = st.returns.get(ident)
                return _answer(ret) if ret is not None else _problem(404, "Not Found", f"Return {ident} not found.")
        body, qty, violations = _handling(
            HANDLING_RESULTS, lambda _: [] if ident.isdigit() else [_invalid("rma-id", "must be a number.")])
        if violations:
            return _problem(400, BAD_REQUEST, "Bad request", violations)
        with st.lock:
            status = st.new_status(ident, {"handlingResult": body["handlingResult"], "quantityReturned": qty})
            return _answer(_public(status, shared), 202)

    def create_return(shared):
        body, qty, violations = _handling(
            CREATE_RESULTS, lambda b: [] if isinstance(b.get("orderItemId"), str) and b["orderItemId"]
            else [_invalid("orderItemId", "must not be empty.")])
        if violations:
            return _problem(400, BAD_REQUEST, "Bad request", violations)
        with st.lock:
            status = st.new_status(body["orderItemId"], {"handlingResult": body["handlingResult"],
                                                         "quantityReturned": qty}, event="CREATE_RETURN_ITEM")
            return _answer(_public(status, shared), 202)

    def get_order(shared, order_id):
        with st.lock:
            order = st.orders.get(order_id)
            return _answer(order) if order is not None else _problem(404, "Not Found", f"Order {order_id} not found.")

    def status_by_id(shared, sid):
        with st.lock:
            status = st.statuses.get(sid)
            if status is None:
                return _problem(404, "Not Found", f"Process status {sid} not found (or no longer retained).")
            return _answer(_public(status, shared))

    def status_by_entity(shared):
        violations: list = []
        page = _page(violations)
        entity, event = request.args.get("entity-id"), request.args.get("event-type")
        if not entity:
            violations.append({"name": "entity-id", "reason": "must not be empty"})
        if event not in EVENT_TYPES:
            violations.append(_invalid("event-type", f"'{event}'."))
        if violations:
            return _problem(400, BAD_REQUEST, "Bad request", violations)
        with st.lock:
            found = sorted((s for s in st.statuses.values() if s["entityId"] == entity and s["eventType"] == event),
                           key=lambda s: int(s["processStatusId"]), reverse=True)
            return _answer({"processStatuses": [_public(s, shared) for s in
                                                found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]})

    for suffix in ("", "-demo"):
        retailer, shared = f"/retailer{suffix}", f"/shared{suffix}"
        app.add_url_rule(f"{retailer}/returns", f"list{suffix}", lambda s=shared: list_returns(s))
        app.add_url_rule(f"{retailer}/returns", f"create{suffix}", lambda s=shared: create_return(s), methods=["POST"])
        app.add_url_rule(f"{retailer}/orders/<order_id>", f"order{suffix}",
                         lambda order_id, s=shared: get_order(s, order_id))
        app.add_url_rule(f"{retailer}/returns/<ident>", f"return{suffix}",
                         lambda ident, s=shared: get_or_handle(s, ident), methods=["GET", "PUT"])
        app.add_url_rule(f"{shared}/process-status/<sid>", f"status{suffix}",
                         lambda sid, s=shared: status_by_id(s, sid))
        app.add_url_rule(f"{shared}/process-status", f"statuses{suffix}", lambda s=shared: status_by_entity(s))

    @app.post("/_emulator/seed")
    def hook_seed():
        body = request.get_json(force=True) or {}
        return jsonify(returns=st.seed(int(body.get("count", 1)), fulfilment=body.get("fulfilment"),
                                       items=body.get("items"), quantity=body.get("quantity"),
                                       single_order=bool(body.get("single_order"))))

    return app


def demo_orders(app) -> list[dict]:
    """The orders behind an emulator app's returns, for the demo shop (``Emulator.demo_orders``)."""
    return app.extensions["bol"].demo_orders()


def emulator_settings(url: str) -> dict:
    """Connection settings that point the bol adapter at an emulator running at ``url``."""
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": url,
            "login_base_url": url, "process_status_interval": 0.2}


def main(argv=None) -> None:
    """``python -m returnhub_bol.emulator --port 8765 --seed 25``: run the emulator in the foreground."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=25, help="number of realistic returns to create")
    args, state = parser.parse_args(argv), BolState()
    state.seed(args.seed)
    create_app(state=state).run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
