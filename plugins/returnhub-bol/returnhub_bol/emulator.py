"""An emulator of the bol.com API subset the plugin uses, for tests and the demo.

Faithful to retailer-api-v10.json / shared-api-v10.json: the login host's ``POST /token``,
bearer tokens that expire, the versioned media type, ``/retailer/returns`` with pages of 50,
``/retailer/returns/{id}``, ``PUT /retailer/returns/{rma-id}`` answered 202 with a PENDING
process status that settles after ``process_delay`` seconds, ``/shared/process-status``, and
429 + Retry-After once a request budget is spent. The ``-demo`` paths answer the same.

Test hooks under ``/_emulator``: seed and add returns, set the budget, inject faults, read the
ledger of PUTs and the log of every API request and response.
"""
from __future__ import annotations

import argparse
import base64
import itertools
import math
import random
import secrets
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask, g, jsonify, request
from hub import clock

MEDIA_TYPE = "application/vnd.retailer.v10+json"
PAGE_SIZE = 50
CLIENT_ID = "emulator-client"
CLIENT_SECRET = "emulator-secret"
HANDLING_RESULTS = ["RETURN_RECEIVED", "EXCHANGE_PRODUCT", "RETURN_DOES_NOT_MEET_CONDITIONS",
                    "REPAIR_PRODUCT", "CUSTOMER_KEEPS_PRODUCT_PAID", "STILL_APPROVED"]
EVENT_TYPES = ["CREATE_SHIPMENT", "CANCEL_ORDER", "CHANGE_TRANSPORT", "HANDLE_RETURN_ITEM",
               "CREATE_RETURN_ITEM", "CREATE_INBOUND", "DELETE_OFFER", "CREATE_OFFER", "UPDATE_OFFER",
               "UPDATE_OFFER_STOCK", "UPDATE_OFFER_PRICE", "CREATE_OFFER_EXPORT",
               "UNPUBLISHED_OFFER_REPORT", "CREATE_PRODUCT_CONTENT", "CREATE_SUBSCRIPTION",
               "UPDATE_SUBSCRIPTION", "DELETE_SUBSCRIPTION", "SEND_SUBSCRIPTION_TST_MSG",
               "CREATE_SHIPPING_LABEL", "CREATE_REPLENISHMENT", "UPDATE_REPLENISHMENT",
               "REQUEST_PRODUCT_DESTINATIONS", "CREATE_SOV_SEARCH_TERM_REPORT",
               "CREATE_SOV_CATEGORY_REPORT", "UPLOAD_INVOICE", "CREATE_CAMPAIGN_PERFORMANCE_REPORT"]
REDUCED_ONLY = ("title", "trackAndTrace", "transporterName", "customerDetails")
AMSTERDAM = timezone(timedelta(hours=1))

# Realistic seed data: reasons from the ReturnReason table of the spec, Dutch and Belgian addresses.
REASONS = [
    ("Verkeerde maat of afmeting", "Te groot"), ("Verkeerde maat of afmeting", "Te klein"),
    ("Verkeerd besteld", "Dubbel besteld"), ("Artikel werkt niet", None),
    ("Klacht over artikel", "Artikel is beschadigd"), ("Klacht over de bezorging", "Verpakking is beschadigd"),
    ("Elders goedkoper", None), ("Anders", "Ik heb me bedacht"),
]
PRODUCTS = [
    ("8718469551237", "Philips Sonicare ProtectiveClean 4300 elektrische tandenborstel"),
    ("9789076174082", "Harry Potter en de steen der wijzen"),
    ("8710103917106", "Philips Airfryer XL HD9270/90"),
    ("5025155028551", "Dyson V8 Absolute steelstofzuiger"),
    ("4008496559602", "Tefal Ingenio pannenset 13-delig"),
    ("8719128519012", "Sinner heren winterjas maat L"),
    ("7290108507016", "LEGO Technic 42141 McLaren F1 raceauto"),
]
PEOPLE = [
    ("FEMALE", "Sanne", "de Vries", "Dorpstraat", "12", None, "3511AB", "Utrecht", "NL"),
    ("MALE", "Daan", "Janssen", "Keizersgracht", "241", "B", "1016EA", "Amsterdam", "NL"),
    ("FEMALE", "Emma", "Peeters", "Meir", "78", None, "2000", "Antwerpen", "BE"),
    ("MALE", "Lucas", "Bakker", "Oudegracht", "5", "bis", "9711CD", "Groningen", "NL"),
    ("UNKNOWN", "Noor", "Maes", "Veldstraat", "33", None, "9000", "Gent", "BE"),
]


def _now() -> datetime:
    return clock.now().astimezone(AMSTERDAM)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def _problem(status: int, title: str, detail: str, violations=()):
    body = {"type": "https://api.bol.com/problems", "title": title, "status": status, "detail": detail,
            "host": "emulator", "instance": request.url, "violations": list(violations)}
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = MEDIA_TYPE
    return resp


class BolState:
    """The emulator's in-memory bol: returns, tokens, process statuses, budget, faults and logs."""

    def __init__(self, rng_seed: int = 7):
        self.lock = threading.RLock()
        self.rng = random.Random(rng_seed)
        self.clients = {CLIENT_ID: CLIENT_SECRET}
        self.token_ttl = 299
        self.tokens: dict[str, float] = {}
        self.returns: dict[str, dict] = {}
        self.statuses: dict[str, dict] = {}
        self.ledger: list[dict] = []
        self.requests: list[dict] = []
        self.process_delay = 0.2
        self.list_customer_details = False  # bol's list omits them; True emulates a list that has them
        self.budget: dict | None = None  # {"requests": n, "per_seconds": s}
        self.window = {"start": clock.monotonic(), "used": 0}
        self.faults = {"status_unavailable": 0, "lose_put_response": 0, "fail_rma": {},
                       "expire_tokens_after": None}
        self.listed_as: dict[str, str] = {}  # raw returns listed under a method they do not carry
        self.token_requests = 0
        self._return_ids = itertools.count(61000000)
        self._rma_ids = itertools.count(31000000)
        self._order_ids = itertools.count(4012000000)
        self._status_ids = itertools.count(1000)

    # -- seeding ------------------------------------------------------------------------------
    def add_raw(self, ret: dict, listed_as: str | None = None) -> dict:
        """Store a return as given (malformed allowed); ``listed_as`` lists it under that
        fulfilment-method filter whatever its own ``fulfilmentMethod`` says."""
        with self.lock:
            key = str(ret.get("returnId") or f"raw-{next(self._return_ids)}")
            self.returns[key] = ret
            if listed_as:
                self.listed_as[key] = listed_as
            return ret

    def seed(self, count: int = 1, *, fulfilment: str | None = None, items: int | None = None,
             quantity: int | None = None, single_order: bool = False) -> list[dict]:
        """Realistic returns: FBR or FBB, 1-3 items (sometimes from two orders unless
        ``single_order``), 1-3 units each."""
        made = []
        with self.lock:
            for _ in range(count):
                rng = self.rng
                method = fulfilment or ("FBB" if rng.random() < 0.3 else "FBR")
                person = rng.choice(PEOPLE)
                order_ids = [str(next(self._order_ids))]
                n_items = items or rng.choice([1, 1, 2, 3])
                if n_items > 1 and not single_order and rng.random() < 0.25:
                    order_ids.append(str(next(self._order_ids)))
                registered = _now() - timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 1440))
                ret = {"returnId": str(next(self._return_ids)), "registrationDateTime": _iso(registered),
                       "fulfilmentMethod": method, "returnItems": []}
                for product in rng.sample(PRODUCTS, n_items):
                    main, detailed = rng.choice(REASONS)
                    reason = {"mainReason": main, "customerComments": rng.choice(
                        ["", "Past helaas niet.", "Doos was open bij ontvangst.", "Werkt niet na 2 dagen."])}
                    if detailed:
                        reason["detailedReason"] = detailed
                    ret["returnItems"].append({
                        "rmaId": str(next(self._rma_ids)), "orderId": rng.choice(order_ids),
                        "ean": product[0], "title": product[1],
                        "expectedQuantity": quantity or rng.choice([1, 1, 1, 2, 3]),
                        "returnReason": reason, "trackAndTrace": f"3SBOL{rng.randint(10**9, 10**10 - 1)}",
                        "transporterName": "PostNL" if person[8] == "NL" else "BPOST_BE",
                        "handled": False, "processingResults": [],
                        "customerDetails": self._customer(person),
                    })
                self.returns[ret["returnId"]] = ret
                made.append(ret)
        return made

    def _customer(self, person) -> dict:
        salutation, first, last, street, number, ext, zip_code, city, country = person
        details = {"salutation": salutation, "firstName": first, "surname": last, "streetName": street,
                   "houseNumber": number, "zipCode": zip_code, "city": city, "countryCode": country,
                   "email": f"{secrets.token_hex(5)}@verkopen.bol.com"}
        if ext:
            details["houseNumberExtension"] = ext
        return details

    def seed_demo(self) -> list[dict]:
        """The demo's 25 returns: FBR ones for the merchant to decide (single and multi-item,
        some of several units) and FBB ones bol handles; one order each, so every return finds
        its order in the demo shop."""
        return (self.seed(14, fulfilment="FBR", single_order=True)
                + self.seed(4, fulfilment="FBR", items=2, quantity=2, single_order=True)
                + self.seed(1, fulfilment="FBR", items=3, single_order=True)
                + self.seed(5, fulfilment="FBB", single_order=True)
                + self.seed(1, fulfilment="FBB", items=2, quantity=3, single_order=True))

    def demo_orders(self) -> list[dict]:
        """The bol orders behind the returns: one per orderId, a line per returned EAN.

        bol's returns carry no SKU (offers are matched on EAN), so ``sku`` is None; the ordered
        quantity is the returned one, which is all the return needs from the order.
        """
        orders: dict[str, dict] = {}
        with self.lock:
            for ret in self.returns.values():
                for item in ret.get("returnItems") or []:
                    if not isinstance(item, dict) or not item.get("orderId"):
                        continue
                    order = orders.setdefault(str(item["orderId"]), {"order_id": str(item["orderId"]), "lines": []})
                    order["lines"].append({"sku": None, "ean": item.get("ean"), "title": item.get("title"),
                                           "quantity": item.get("expectedQuantity")})
        return list(orders.values())

    # -- behaviour ----------------------------------------------------------------------------
    def spend_token(self) -> None:
        """Count one authorised API request towards an ``expire_tokens_after`` fault."""
        left = self.faults["expire_tokens_after"]
        if left is None:
            return
        if left <= 1:
            self.tokens = {t: 0.0 for t in self.tokens}
            self.faults["expire_tokens_after"] = None
        else:
            self.faults["expire_tokens_after"] = left - 1

    def spend_budget(self) -> tuple[int | None, dict]:
        """Count one API request; a Retry-After (s) once the budget is spent, plus rate-limit headers."""
        if not self.budget:
            return None, {}
        now = clock.monotonic()
        per = float(self.budget["per_seconds"])
        if now - self.window["start"] >= per:
            self.window = {"start": now, "used": 0}
        reset = max(1, math.ceil(self.window["start"] + per - now))
        limit = int(self.budget["requests"])
        headers = {"x-ratelimit-limit": str(limit), "x-ratelimit-reset": str(reset)}
        if self.window["used"] >= limit:
            headers["x-ratelimit-remaining"] = "0"
            return reset, headers
        self.window["used"] += 1
        headers["x-ratelimit-remaining"] = str(limit - self.window["used"])
        return None, headers

    def settle(self) -> None:
        """Finish every PENDING process status whose processing time has passed."""
        now = clock.monotonic()
        for status in self.statuses.values():
            if status["status"] == "PENDING" and status["_due"] <= now:
                self._finish(status)

    def _finish(self, status: dict) -> None:
        rma_id, body = status["entityId"], status["_body"]
        item, ret = self.find_item(rma_id)
        error = self.faults["fail_rma"].pop(rma_id, None)
        if error is None and item is None:
            error = f"Return item with rmaId {rma_id} not found."
        if error is None and ret.get("fulfilmentMethod") == "FBB":
            error = f"Return item {rma_id} is fulfilled by bol.com and cannot be handled by the retailer."
        already = sum(r.get("quantity", 0) for r in item.get("processingResults", [])) if item else 0
        if error is None and body["quantityReturned"] > item.get("expectedQuantity", 0) - already:
            error = (f"quantityReturned {body['quantityReturned']} exceeds the expected quantity "
                     f"{item.get('expectedQuantity')} of return item {rma_id}.")
        if error:
            status.update(status="FAILURE", errorMessage=error)
            return
        item["handled"] = True
        item.setdefault("processingResults", []).append({
            "quantity": body["quantityReturned"], "processingResult": "ACCEPTED",
            "handlingResult": body["handlingResult"], "processingDateTime": _iso(_now())})
        status["status"] = "SUCCESS"

    def find_item(self, rma_id: str):
        for ret in self.returns.values():
            for item in ret.get("returnItems") or []:
                if isinstance(item, dict) and str(item.get("rmaId")) == rma_id:
                    return item, ret
        return None, None

    def new_status(self, rma_id: str, body: dict) -> dict:
        sid = str(next(self._status_ids))
        status = {"processStatusId": sid, "entityId": rma_id, "eventType": "HANDLE_RETURN_ITEM",
                  "description": f"Handle return item with rmaId {rma_id}.", "status": "PENDING",
                  "createTimestamp": _iso(_now()), "links": [],
                  "_body": body, "_due": clock.monotonic() + self.process_delay, "_seq": int(sid)}
        self.statuses[sid] = status
        return status


def public(status: dict, shared: str) -> dict:
    """A process status as bol shows it (internal fields dropped, self link added)."""
    out = {k: v for k, v in status.items() if not k.startswith("_")}
    out["links"] = [{"rel": "self", "href": f"{request.host_url.rstrip('/')}{shared}/process-status/"
                                           f"{status['processStatusId']}"}]
    return out


def _handled(ret: dict) -> bool:
    items = ret.get("returnItems") or []
    return bool(items) and all(isinstance(i, dict) and i.get("handled") for i in items)


def _reduced(ret: dict, keep: tuple = ()) -> dict:
    out = dict(ret)
    drop = [k for k in REDUCED_ONLY if k not in keep]
    if isinstance(ret.get("returnItems"), list):
        out["returnItems"] = [{k: v for k, v in i.items() if k not in drop} if isinstance(i, dict) else i
                              for i in ret["returnItems"]]
    return out


def _page_param():
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        return None, [{"name": "page", "reason": "Request contains invalid value(s): must be at least 1."}]
    return int(raw), []


def create_app(demo: bool = False, *, state: BolState | None = None) -> Flask:
    """The emulator app; ``demo`` seeds the 25 demo returns. ``app.extensions["bol"]`` is the state."""
    app = Flask(__name__)
    st = state or BolState()
    if demo:
        st.seed_demo()
    app.extensions["bol"] = st

    @app.before_request
    def gate():
        if request.path.startswith("/_emulator") or request.path == "/token":
            return None
        g.log = {"method": request.method, "path": request.path,
                 "query": {k: request.args.getlist(k) for k in request.args},
                 "accept": request.headers.get("Accept"), "content_type": request.headers.get("Content-Type"),
                 "body": request.get_json(silent=True, force=True) if request.data else None}
        with st.lock:
            st.requests.append(g.log)
            retry_after, g.rate_headers = st.spend_budget()
            if retry_after is not None:
                resp = jsonify({"title": "Too Many Requests", "status": 429,
                                "detail": f"Too many requests, retry in {retry_after} seconds."})
                resp.status_code = 429
                resp.headers["Retry-After"] = str(retry_after)
                return resp
            auth = request.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else None
            if token is None or st.tokens.get(token, 0) <= clock.monotonic():
                return _problem(401, "Unauthorized", "Missing, invalid or expired access token.")
            st.spend_token()
            if MEDIA_TYPE not in (request.headers.get("Accept") or ""):
                return _problem(406, "Not Acceptable", f"Accept must be {MEDIA_TYPE}.")
            if request.method in ("PUT", "POST") and request.mimetype != MEDIA_TYPE:
                return _problem(415, "Unsupported Media Type", f"Content-Type must be {MEDIA_TYPE}.")
            st.settle()
        return None

    @app.after_request
    def record(resp):
        log = g.get("log")
        if log is not None:
            log["status"] = resp.status_code
            log["response_type"] = resp.mimetype
            log["response"] = resp.get_json(silent=True)
            for k, v in (g.get("rate_headers") or {}).items():
                resp.headers[k] = v
        return resp

    # -- login host ---------------------------------------------------------------------------
    @app.post("/token")
    def token():
        auth = request.headers.get("Authorization", "")
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":") \
                if auth.startswith("Basic ") else ("", "", "")
        except ValueError:
            client_id, secret = "", ""
        grant = request.form.get("grant_type") or request.args.get("grant_type")
        with st.lock:
            st.token_requests += 1
            if st.clients.get(client_id) != secret or not client_id:
                return jsonify({"error": "invalid_client", "error_description": "Bad client credentials"}), 401
            if grant != "client_credentials":
                return jsonify({"error": "unsupported_grant_type"}), 400
            value = secrets.token_urlsafe(24)
            st.tokens[value] = clock.monotonic() + st.token_ttl
        return jsonify({"access_token": value, "token_type": "Bearer", "expires_in": st.token_ttl,
                        "scope": "RETAILER"})

    # -- retailer API -------------------------------------------------------------------------
    def list_returns(shared):
        page, violations = _page_param()
        method = request.args.get("fulfilment-method")
        if method is not None and method not in ("FBR", "FBB"):
            violations.append({"name": "fulfilment-method",
                               "reason": f"Request contains invalid value(s): '{method}', allowed values: FBR, FBB."})
        handled = request.args.get("handled")
        if handled is not None and handled not in ("true", "false"):
            violations.append({"name": "handled", "reason": "Request contains invalid value(s): must be a boolean."})
        if violations:
            return _problem(400, "Error validating request. Consult the bol.com API documentation for more "
                                 "information.", "Bad request", violations)
        with st.lock:
            rows = [r for key, r in st.returns.items()
                    if (method is None or st.listed_as.get(key, r.get("fulfilmentMethod")) == method)
                    and (handled is None or _handled(r) == (handled == "true"))]
            rows.sort(key=lambda r: str(r.get("registrationDateTime", "")), reverse=handled == "true")
            keep = ("customerDetails",) if st.list_customer_details else ()
            rows = [_reduced(r, keep) for r in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
        resp = jsonify({"returns": rows})
        resp.mimetype = MEDIA_TYPE
        return resp

    def get_or_handle(shared, ident):
        if request.method == "GET":
            with st.lock:
                ret = st.returns.get(ident)
                resp = jsonify(ret) if ret is not None else None
            if resp is None:
                return _problem(404, "Not Found", f"Return with id {ident} not found.")
            resp.mimetype = MEDIA_TYPE
            return resp
        body = request.get_json(silent=True, force=True)
        violations = []
        if not ident.isdigit():
            violations.append({"name": "rma-id", "reason": "Request contains invalid value(s): must be a number."})
        if not isinstance(body, dict):
            body = {}
            violations.append({"name": "body", "reason": "Request body is missing or not valid JSON."})
        if body.get("handlingResult") not in HANDLING_RESULTS:
            violations.append({"name": "handlingResult", "reason": "Request contains invalid value(s): "
                               f"'{body.get('handlingResult')}', allowed values: {', '.join(HANDLING_RESULTS)}."})
        qty = body.get("quantityReturned")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 9999:
            violations.append({"name": "quantityReturned", "reason": "must be between 1 and 9999"})
        if violations:
            return _problem(400, "Error validating request. Consult the bol.com API documentation for more "
                                 "information.", "Bad request", violations)
        with st.lock:
            status = st.new_status(ident, {"handlingResult": body["handlingResult"], "quantityReturned": qty})
            st.ledger.append({"rmaId": ident, "handlingResult": body["handlingResult"],
                              "quantityReturned": qty, "processStatusId": status["processStatusId"]})
            if st.faults["lose_put_response"] > 0:
                st.faults["lose_put_response"] -= 1
                return _problem(500, "Internal Server Error", "The answer to this request was lost.")
            out = public(status, shared)
        resp = jsonify(out)
        resp.status_code = 202
        resp.mimetype = MEDIA_TYPE
        return resp

    # -- shared API ---------------------------------------------------------------------------
    def status_by_id(shared, sid):
        with st.lock:
            if st.faults["status_unavailable"] > 0:
                st.faults["status_unavailable"] -= 1
                return _problem(503, "Service Unavailable", "Process status service unavailable.")
            status = st.statuses.get(sid)
            out = public(status, shared) if status else None
        if out is None:
            return _problem(404, "Not Found", f"Process status {sid} not found.")
        resp = jsonify(out)
        resp.mimetype = MEDIA_TYPE
        return resp

    def status_by_entity(shared):
        page, violations = _page_param()
        entity, event = request.args.get("entity-id"), request.args.get("event-type")
        if not entity:
            violations.append({"name": "entity-id", "reason": "must not be empty"})
        if event not in EVENT_TYPES:
            violations.append({"name": "event-type", "reason": f"Request contains invalid value(s): '{event}'."})
        if violations:
            return _problem(400, "Error validating request. Consult the bol.com API documentation for more "
                                 "information.", "Bad request", violations)
        with st.lock:
            found = sorted((s for s in st.statuses.values()
                            if s["entityId"] == entity and s["eventType"] == event),
                           key=lambda s: s["_seq"], reverse=True)
            rows = [public(s, shared) for s in found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
        resp = jsonify({"processStatuses": rows})
        resp.mimetype = MEDIA_TYPE
        return resp

    for suffix in ("", "-demo"):
        retailer, shared = f"/retailer{suffix}", f"/shared{suffix}"
        app.add_url_rule(f"{retailer}/returns", f"list{suffix}", lambda s=shared: list_returns(s))
        app.add_url_rule(f"{retailer}/returns/<ident>", f"return{suffix}",
                         lambda ident, s=shared: get_or_handle(s, ident), methods=["GET", "PUT"])
        app.add_url_rule(f"{shared}/process-status/<sid>", f"status{suffix}",
                         lambda sid, s=shared: status_by_id(s, sid))
        app.add_url_rule(f"{shared}/process-status", f"statuses{suffix}", lambda s=shared: status_by_entity(s))

    # -- test hooks ---------------------------------------------------------------------------
    @app.post("/_emulator/seed")
    def hook_seed():
        body = request.get_json(force=True) or {}
        made = st.seed(int(body.get("count", 1)), fulfilment=body.get("fulfilment"),
                       items=body.get("items"), quantity=body.get("quantity"),
                       single_order=bool(body.get("single_order")))
        return jsonify({"returns": made})

    @app.post("/_emulator/returns")
    def hook_add():
        """A raw return; ``?listed_as=FBR`` lists it under FBR whatever its fulfilmentMethod."""
        return jsonify(st.add_raw(request.get_json(force=True), listed_as=request.args.get("listed_as")))

    @app.post("/_emulator/config")
    def hook_config():
        """budget {requests, per_seconds} or null, token_ttl, process_delay, list_customer_details."""
        body = request.get_json(force=True) or {}
        with st.lock:
            if "budget" in body:
                st.budget = body["budget"]
                st.window = {"start": clock.monotonic(), "used": 0}
            for key in ("token_ttl", "process_delay", "list_customer_details"):
                if key in body:
                    setattr(st, key, body[key])
        return jsonify({"ok": True})

    @app.post("/_emulator/faults")
    def hook_faults():
        """expire_tokens: true; expire_tokens_after: n (every token expires after n more authorised
        API requests); status_unavailable: n; lose_put_response: n; fail_rma: {rmaId: message}."""
        body = request.get_json(force=True) or {}
        with st.lock:
            if body.get("expire_tokens"):
                st.tokens = {t: 0.0 for t in st.tokens}
            if body.get("expire_tokens_after"):
                st.faults["expire_tokens_after"] = int(body["expire_tokens_after"])
            for key in ("status_unavailable", "lose_put_response"):
                st.faults[key] += int(body.get(key, 0))
            st.faults["fail_rma"].update(body.get("fail_rma") or {})
        return jsonify({"ok": True})

    @app.get("/_emulator/ledger")
    def hook_ledger():
        with st.lock:
            return jsonify({"puts": list(st.ledger), "token_requests": st.token_requests})

    @app.get("/_emulator/requests")
    def hook_requests():
        with st.lock:
            return jsonify({"requests": list(st.requests)})

    return app


def demo_orders(app: Flask) -> list[dict]:
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
    args = parser.parse_args(argv)
    state = BolState()
    state.seed(args.seed)
    create_app(state=state).run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
