"""Emulator of the SP-API subset the plugin uses: LWA tokens, Reports API 2021-06-30, document
storage with pre-signed URLs, and the restricted-data Orders calls. In memory, for tests and demo.

Faithful to ``reports_2021-06-30.json``: paths, field names, status codes (202 on createReport),
``processingStatus`` life cycle, ErrorList bodies, ``x-amzn-RateLimit-Limit`` on every answer.
Test hooks live under ``/_emulator/``.
"""
from __future__ import annotations

import gzip
import json
import secrets
import threading
import uuid
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from flask import Flask, Response, g, jsonify, request
from hub import clock

from returnhub_amazon.mapping import FBA, MFN_FLAT, MFN_XML

CLIENT_ID = "amzn1.application-oa2-client.returnhubemulator"
CLIENT_SECRET = "emulator-client-secret"
REFRESH_TOKEN = "Atzr|returnhub-emulator-refresh-token"
MARKETPLACE_ID = "A1PA6795UKMFR9"  # amazon.de

MFN_COLUMNS = [
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
    "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
    "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name",
    "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
    "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id",
    "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount",
]
FBA_COLUMNS = [
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
    "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments",
]
# XML element per flat-file column (the XML report's documented names); item-level ones apart.
_XML_RETURN = {"Order ID": "order_id", "Order date": "order_date", "Amazon RMA ID": "amazon_rma_id",
               "Return request date": "return_request_date", "Return request status": "return_request_status",
               "A-to-Z Claim": "a_to_z_claim", "Is prime": "is_prime", "Label to be paid by": "label_to_be_paid_by",
               "Return type": "return_type", "Order Amount": "order_amount", "Order quantity": "order_quantity"}
_XML_LABEL = {"Tracking ID": "tracking_id", "Return carrier": "return_carrier", "Currency code": "currency_code",
              "Label cost": "label_cost", "Label type": "label_type"}
_XML_ITEM = {"Item Name": "item_name", "ASIN": "asin", "Return Reason": "return_reason_code",
             "Merchant SKU": "merchant_sku", "In policy": "in_policy", "Return quantity": "return_quantity",
             "Resolution": "resolution", "Refunded Amount": "refund_amount"}

# Default usage plans of the spec (requests per second), sent back in x-amzn-RateLimit-Limit.
RATES = {"createReport": "0.0167", "getReports": "0.0222", "getReport": "2.0", "getReportDocument": "0.0167",
         "createRestrictedDataToken": "1.0", "getOrderAddress": "0.5", "getOrderBuyerInfo": "0.5"}
RETURNS_REPORT_DAYS = 60


def _now() -> datetime:
    return clock.now().replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _parse(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def mfn_row(rma: str, order: str, sku: str, *, requested_at: datetime | None = None, quantity="1",
            status="Approved", reason="CR-DEFECTIVE", in_policy="Y", refunded="0.00", asin="B0EMU00001",
            name="Emulated item", **columns) -> dict:
    """A merchant-fulfilled returns report row (flat-file column names); ``columns`` override any."""
    requested_at = requested_at or _now() - timedelta(days=1)
    row = {
        "Order ID": order, "Order date": _iso(requested_at - timedelta(days=6)),
        "Return request date": _iso(requested_at), "Return request status": status, "Amazon RMA ID": rma,
        "Merchant RMA ID": "", "Label type": "AmazonUnPaidLabel", "Label cost": "0.00", "Currency code": "EUR",
        "Return carrier": "DHL", "Tracking ID": f"JJD{rma[-8:]}", "Label to be paid by": "Customer",
        "A-to-Z Claim": "N", "Is prime": "N", "ASIN": asin, "Merchant SKU": sku, "Item Name": name,
        "Return quantity": str(quantity), "Return Reason": reason, "In policy": in_policy,
        "Return type": "C-Returns", "Resolution": "StandardRefund", "Invoice number": "",
        "Return delivery date": "", "Order Amount": "29.99", "Order quantity": "1", "Refunded Amount": refunded,
    }
    row.update(columns)
    return row


def fba_row(order: str, sku: str, plate: str, *, returned_at: datetime | None = None, quantity="1",
            reason="UNWANTED_ITEM", **columns) -> dict:
    """An FBA customer returns report row; ``columns`` override any."""
    row = {
        "return-date": _iso(returned_at or _now() - timedelta(days=2)), "order-id": order, "sku": sku,
        "asin": "B0EMUFBA01", "fnsku": "X00EMU0001", "product-name": "Emulated FBA item",
        "quantity": str(quantity), "fulfillment-center-id": "LEJ1", "detailed-disposition": "SELLABLE",
        "reason": reason, "status": "Unit returned to inventory", "license-plate-number": plate,
        "customer-comments": "",
    }
    row.update(columns)
    return row


def _demo_rows() -> tuple[list[dict], list[dict]]:
    now = _now()
    mfn = [
        mfn_row("DnRmK8xQRRMA", "302-4417842-1188313", "SHIRT-BLUE-M", requested_at=now - timedelta(days=3),
                name="Oxford shirt blue M", reason="AMZ-PG-APP-TOO-SMALL"),
        mfn_row("DmV2tb7pRRMA", "305-9923410-7782701", "MUG-SET-4", requested_at=now - timedelta(days=2),
                name="Stoneware mug set (4)", reason="CR-DAMAGED_BY_CARRIER", refunded="24.95"),
        mfn_row("DmV2tb7pRRMA", "305-9923410-7782701", "MUG-SAUCER", requested_at=now - timedelta(days=2),
                name="Saucer", quantity="2", reason="CR-DAMAGED_BY_CARRIER"),
        mfn_row("DqP0zK3sRRMA", "028-1180045-5529132", "LAMP-OAK", requested_at=now - timedelta(days=1),
                name="Oak table lamp", reason="CR-UNWANTED_ITEM", in_policy="N", status="Authorized"),
    ]
    fba = [fba_row("171-5532201-9091127", "HEADPHONE-X", "LPNRR1002873411", reason="DEFECTIVE",
                   **{"detailed-disposition": "CUSTOMER_DAMAGED"}),
           fba_row("171-2210987-4401933", "CABLE-USB-C-2M", "LPNRR1002873512")]
    return mfn, fba


class _State:
    def __init__(self, demo: bool):
        self.lock = threading.Lock()
        self.refresh_tokens = {REFRESH_TOKEN: {"client_id": CLIENT_ID, "revoked": False}}
        self.access_tokens: dict[str, datetime] = {}
        self.rdts: dict[str, set[str]] = {}
        self.rows = {"mfn": [], "fba": []}
        if demo:
            self.rows["mfn"], self.rows["fba"] = _demo_rows()
        self.reports: dict[str, dict] = {}
        self.documents: dict[str, dict] = {}
        self.downloads: dict[str, tuple[str, datetime]] = {}
        self.faults: list[dict] = []
        self.ledger: list[dict] = []
        self.config = {"polls_to_finish": 3, "gzip": True, "url_ttl": 300, "token_ttl": 3600, "pii_role": True}

    def take_fault(self, operation: str, kinds: tuple[str, ...], report_type: str | None = None) -> dict | None:
        """Arm-once faults: the first matching one with count left is used (and counted down)."""
        for fault in self.faults:
            if fault.get("reportType") not in (None, report_type):
                continue
            if fault["operation"] == operation and fault["kind"] in kinds and fault["count"] > 0:
                fault["count"] -= 1
                return fault
        return None


def _errors(status: int, code: str, message: str, operation: str | None = None) -> Response:
    resp = jsonify({"errors": [{"code": code, "message": message, "details": ""}]})
    resp.status_code = status
    if operation:
        resp.headers["x-amzn-RateLimit-Limit"] = RATES[operation]
    return resp


def create_app(demo: bool = False) -> Flask:
    """The emulator as a Flask app; ``demo`` seeds a few realistic MFN and FBA returns."""
    app = Flask("returnhub_amazon.emulator")
    state = _State(demo)
    app.extensions["amazon_emulator"] = state

    @app.before_request
    def arrival():
        g.arrived = clock.time()  # the ledger's "at": when the request arrived, before any work

    def record(operation: str, resp: Response) -> Response:
        resp.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        if operation in RATES:
            resp.headers["x-amzn-RateLimit-Limit"] = RATES[operation]
        state.ledger.append({
            "operation": operation, "at": g.arrived, "method": request.method, "path": request.path,
            "query": request.args.to_dict(flat=False), "body": request.get_json(silent=True),
            "form": request.form.to_dict() if request.form else None, "status": resp.status_code,
            "headers": dict(resp.headers), "response": resp.get_json(silent=True),
            "auth_headers": [h for h in ("Authorization", "x-amz-access-token") if h in request.headers],
        })
        return resp

    def guard(operation: str, *, rdt_path: str | None = None, report_type: str | None = None) -> Response | None:
        """403 without a valid token, 429 when a quota fault is armed for this operation."""
        token = request.headers.get("x-amz-access-token", "")
        with state.lock:
            if rdt_path is not None:
                valid = rdt_path in state.rdts.get(token, set())
            else:
                expires = state.access_tokens.get(token)
                valid = expires is not None and expires > _now()
            if not valid:
                return _errors(403, "Unauthorized", "Access to requested resource is denied.", operation)
            if state.take_fault(operation, ("429",), report_type):
                return _errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.",
                               operation)
        return None

    # --- Login with Amazon ---------------------------------------------------------------

    @app.post("/auth/o2/token")
    def token():
        form = request.form
        with state.lock:
            grant = state.refresh_tokens.get(form.get("refresh_token", ""))
            if form.get("grant_type") != "refresh_token":
                body, status = {"error": "unsupported_grant_type",
                                "error_description": "The authorization grant type is not supported"}, 400
            elif form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                body, status = {"error": "invalid_client", "error_description": "Client authentication failed"}, 401
            elif grant is None or grant["revoked"]:
                body, status = {"error": "invalid_grant",
                                "error_description": "The request has an invalid grant parameter : refresh_token"}, 400
            else:
                access = "Atza|" + secrets.token_urlsafe(24)
                state.access_tokens[access] = _now() + timedelta(seconds=state.config["token_ttl"])
                body, status = {"access_token": access, "refresh_token": form["refresh_token"],
                                "token_type": "bearer", "expires_in": state.config["token_ttl"]}, 200
        resp = jsonify(body)
        resp.status_code = status
        return record("lwaToken", resp)

    # --- Reports API ---------------------------------------------------------------------

    @app.post("/reports/2021-06-30/reports")
    def create_report():
        body = request.get_json(silent=True) or {}
        refused = guard("createReport", report_type=body.get("reportType"))
        if refused:
            return record("createReport", refused)
        problem = _check_spec(body)
        if problem:
            return record("createReport", _errors(400, "InvalidInput", problem, "createReport"))
        with state.lock:
            report_id = str(50000000000 + len(state.reports) + 1)
            outcome = state.take_fault("createReport", ("fatal", "cancel"), body["reportType"])
            state.reports[report_id] = {
                "reportId": report_id, "reportType": body["reportType"], "marketplaceIds": body["marketplaceIds"],
                "dataStartTime": _iso(_parse(body["dataStartTime"])), "dataEndTime": _iso(_parse(body["dataEndTime"])),
                "createdTime": _iso(_now()), "processingStatus": "IN_QUEUE",
                "_polls": 0, "_outcome": outcome and {"kind": outcome["kind"], "reason": outcome.get("reason")},
            }
        resp = jsonify({"reportId": report_id})
        resp.status_code = 202
        return record("createReport", resp)

    @app.get("/reports/2021-06-30/reports")
    def get_reports():
        refused = guard("getReports")
        if refused:
            return record("getReports", refused)
        types = set(",".join(request.args.getlist("reportTypes")).split(",")) - {""}
        size = int(request.args.get("pageSize", 10))
        with state.lock:
            found = [_public(r) for r in state.reports.values() if not types or r["reportType"] in types]
        return record("getReports", jsonify({"reports": found[-size:]}))

    @app.get("/reports/2021-06-30/reports/<report_id>")
    def get_report(report_id):
        refused = guard("getReport")
        if refused:
            return record("getReport", refused)
        with state.lock:
            report = state.reports.get(report_id)
            if report is None:
                return record("getReport", _errors(404, "NotFound", "Report not found", "getReport"))
            _advance(state, report, request.host_url)
            body = _public(report)
        return record("getReport", jsonify(body))

    @app.get("/reports/2021-06-30/documents/<document_id>")
    def get_report_document(document_id):
        refused = guard("getReportDocument")
        if refused:
            return record("getReportDocument", refused)
        with state.lock:
            doc = state.documents.get(document_id)
            if doc is None:
                return record("getReportDocument", _errors(404, "NotFound", "Document not found", "getReportDocument"))
            key = secrets.token_urlsafe(16)
            expired = state.take_fault("download", ("expire_url",)) is not None
            expires = _now() + timedelta(seconds=-1 if expired else state.config["url_ttl"])
            state.downloads[key] = (document_id, expires)
            body = {"reportDocumentId": document_id,
                    "url": f"{request.host_url}_storage/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                           f"&X-Amz-Expires={state.config['url_ttl']}&X-Amz-Signature={secrets.token_hex(32)}"}
            if doc["compression"]:
                body["compressionAlgorithm"] = doc["compression"]
        return record("getReportDocument", jsonify(body))

    @app.get("/_storage/<key>")
    def download(key):
        with state.lock:
            found = state.downloads.get(key)
        if "Authorization" in request.headers or "x-amz-access-token" in request.headers:
            resp = Response("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed"
                            "</Message></Error>", status=400, mimetype="application/xml")
        elif found is None:
            resp = Response("<Error><Code>NoSuchKey</Code></Error>", status=404, mimetype="application/xml")
        elif found[1] <= _now():
            resp = Response("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                            status=403, mimetype="application/xml")
        else:
            doc = state.documents[found[0]]
            resp = Response(doc["content"], status=200, content_type=doc["content_type"])
        return record("download", resp)

    # --- restricted data: Tokens + Orders ------------------------------------------------

    @app.post("/tokens/2021-03-01/restrictedDataToken")
    def restricted_data_token():
        refused = guard("createRestrictedDataToken")
        if refused:
            return record("createRestrictedDataToken", refused)
        if not state.config["pii_role"]:
            return record("createRestrictedDataToken", _errors(
                403, "Unauthorized", "Application does not have access to one or more requested data elements",
                "createRestrictedDataToken"))
        resources = (request.get_json(silent=True) or {}).get("restrictedResources") or []
        token = "Atz.sprdt|" + secrets.token_urlsafe(24)
        with state.lock:
            state.rdts[token] = {r.get("path") for r in resources}
        return record("createRestrictedDataToken", jsonify({"restrictedDataToken": token, "expiresIn": 3600}))

    @app.get("/orders/v0/orders/<order_id>/address")
    def order_address(order_id):
        refused = guard("getOrderAddress", rdt_path=request.path)
        if refused:
            return record("getOrderAddress", refused)
        return record("getOrderAddress", jsonify({"payload": {"AmazonOrderId": order_id, "ShippingAddress": {
            "Name": "Emma Schneider", "AddressLine1": "Lindenstraße 12", "City": "Leipzig",
            "PostalCode": "04109", "CountryCode": "DE", "Phone": "+49 341 5550123"}}}))

    @app.get("/orders/v0/orders/<order_id>/buyerInfo")
    def order_buyer(order_id):
        refused = guard("getOrderBuyerInfo", rdt_path=request.path)
        if refused:
            return record("getOrderBuyerInfo", refused)
        return record("getOrderBuyerInfo", jsonify({"payload": {
            "AmazonOrderId": order_id, "BuyerEmail": "q7ttm0n4lp2x9@marketplace.amazon.de",
            "BuyerName": "Emma Schneider"}}))

    # --- test hooks ----------------------------------------------------------------------

    @app.post("/_emulator/returns")
    def add_returns():
        body = request.get_json()
        with state.lock:
            for kind in ("mfn", "fba"):
                state.rows[kind].extend(body.get(kind, []))
        return jsonify({"mfn": len(state.rows["mfn"]), "fba": len(state.rows["fba"])})

    @app.post("/_emulator/faults")
    def add_fault():
        body = request.get_json()
        with state.lock:
            state.faults.append({"operation": body["operation"], "kind": body["kind"],
                                 "count": int(body.get("count", 1)), "reason": body.get("reason"),
                                 "reportType": body.get("reportType")})
        return jsonify({"faults": len(state.faults)})

    @app.post("/_emulator/config")
    def set_config():
        with state.lock:
            state.config.update(request.get_json())
        return jsonify(state.config)

    @app.post("/_emulator/revoke")
    def revoke():
        with state.lock:
            state.refresh_tokens[request.get_json()["refresh_token"]]["revoked"] = True
        return jsonify({"revoked": True})

    @app.post("/_emulator/expire-access-tokens")
    def expire_tokens():
        with state.lock:
            state.access_tokens = {t: _now() - timedelta(seconds=1) for t in state.access_tokens}
        return jsonify({"expired": len(state.access_tokens)})

    @app.post("/_emulator/reports/<report_id>/age")
    def age_report(report_id):
        seconds = float(request.get_json()["seconds"])
        with state.lock:
            report = state.reports[report_id]
            for field in ("createdTime", "processingStartTime", "processingEndTime"):
                if field in report:
                    report[field] = _iso(_parse(report[field]) - timedelta(seconds=seconds))
        return jsonify(_public(report))

    @app.get("/_emulator/ledger")
    def ledger():
        return jsonify(state.ledger)

    return app


def _check_spec(body: dict) -> str | None:
    """The createReport checks Amazon makes that matter here (CreateReportSpecification + 60 days)."""
    if not isinstance(body.get("reportType"), str) or not body["reportType"]:
        return "reportType is required"
    ids = body.get("marketplaceIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 25:
        return "marketplaceIds must list 1 to 25 marketplace ids"
    start, end = _parse(body.get("dataStartTime", "")), _parse(body.get("dataEndTime", ""))
    if start is None or end is None:
        return "dataStartTime and dataEndTime must be ISO 8601 date-times"
    if start > end or end > _now() + timedelta(minutes=2):
        return "dataStartTime must not be after dataEndTime, nor dataEndTime in the future"
    if body["reportType"] in (MFN_FLAT, MFN_XML) and end - start > timedelta(days=RETURNS_REPORT_DAYS):
        return f"returns reports cover at most {RETURNS_REPORT_DAYS} days"
    return None


def _public(report: dict) -> dict:
    return {k: v for k, v in report.items() if not k.startswith("_")}


def _advance(state: _State, report: dict, host_url: str) -> None:
    """One getReport call moves a report one step: IN_QUEUE -> IN_PROGRESS -> DONE/CANCELLED/FATAL."""
    if report["processingStatus"] not in ("IN_QUEUE", "IN_PROGRESS"):
        return
    report["_polls"] += 1
    if report["_polls"] < state.config["polls_to_finish"]:
        if report["_polls"] > 1 and report["processingStatus"] == "IN_QUEUE":
            report["processingStatus"] = "IN_PROGRESS"
            report["processingStartTime"] = _iso(_now())
        return
    report.setdefault("processingStartTime", _iso(_now()))
    report["processingEndTime"] = _iso(_now())
    outcome = report["_outcome"]
    if outcome and outcome["kind"] == "fatal":
        report["processingStatus"] = "FATAL"
        if outcome.get("reason"):
            report["reportDocumentId"] = _store(state, json.dumps({"errorDetails": outcome["reason"]}).encode(),
                                                "application/json")
        return
    content = None if outcome and outcome["kind"] == "cancel" else _content(state, report)
    if content is None:
        report["processingStatus"] = "CANCELLED"  # Amazon's answer to an empty window
        return
    report["processingStatus"] = "DONE"
    report["reportDocumentId"] = _store(state, content, "text/plain;charset=UTF-8")


def _store(state: _State, content: bytes, content_type: str) -> str:
    doc_id = "amzn1.spdoc.1.4.eu." + str(uuid.uuid4())
    compression = "GZIP" if state.config["gzip"] else None
    state.documents[doc_id] = {"content": gzip.compress(content) if compression else content,
                               "compression": compression, "content_type": content_type}
    return doc_id


def _content(state: _State, report: dict) -> bytes | None:
    """The report document for the rows whose date falls in the report's window; None when none do."""
    start, end = _parse(report["dataStartTime"]), _parse(report["dataEndTime"])
    kind, column = ("fba", "return-date") if report["reportType"] == FBA else ("mfn", "Return request date")

    def within(row: dict) -> bool:
        moment = _parse(row.get(column, ""))
        return moment is None or start <= moment <= end  # an unreadable date is served, as Amazon would

    rows = [row for row in state.rows[kind] if within(row)]
    if not rows:
        return None
    if report["reportType"] == MFN_XML:
        return _xml(rows).encode("utf-8")
    columns = FBA_COLUMNS if kind == "fba" else MFN_COLUMNS
    lines = ["\t".join(columns)] + ["\t".join(str(row.get(c, "")) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xml(rows: list[dict]) -> str:
    """The XML returns report: one return_details per RMA with its item_details (envelope UNVERIFIED)."""
    by_rma: dict[str, list[dict]] = {}
    for row in rows:
        by_rma.setdefault(row.get("Amazon RMA ID", ""), []).append(row)

    def elements(row: dict, names: dict) -> str:
        return "".join(f"<{tag}>{escape(str(row.get(col, '')))}</{tag}>" for col, tag in names.items())

    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<root>"]
    for group in by_rma.values():
        first = group[0]
        parts.append("<return_details>" + elements(first, _XML_RETURN)
                     + "<label_details>" + elements(first, _XML_LABEL) + "</label_details>"
                     + "".join("<item_details>" + elements(r, _XML_ITEM) + "</item_details>" for r in group)
                     + "</return_details>")
    parts.append("</root>")
    return "\n".join(parts)


def demo_orders(app) -> list[dict]:
    """The orders behind the seeded returns (order id, lines with SKU, title, quantity), for the demo shop."""
    state: _State = app.extensions["amazon_emulator"]
    orders: dict[str, dict] = {}
    for row in state.rows["mfn"]:
        order = orders.setdefault(row["Order ID"], {"order_id": row["Order ID"], "lines": []})
        order["lines"].append({"sku": row["Merchant SKU"], "ean": None, "title": row["Item Name"],
                               "quantity": int(row["Order quantity"] or row["Return quantity"])})
    for row in state.rows["fba"]:
        order = orders.setdefault(row["order-id"], {"order_id": row["order-id"], "lines": []})
        order["lines"].append({"sku": row["sku"], "ean": None, "title": row["product-name"],
                               "quantity": int(row["quantity"])})
    return list(orders.values())
