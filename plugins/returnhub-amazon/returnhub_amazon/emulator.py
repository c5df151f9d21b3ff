"""Emulator of the SP-API subset the plugin uses, on hub.testing.emulation.EmulatorApp: LWA tokens, the
Reports API 2021-06-30, document storage with pre-signed URLs, and the restricted-data Orders calls.

Checked against ``reports_2021-06-30.json`` (the kit's silver check and the third-party client tests):
paths, required/optional fields and enums, 202 on createReport, the ``processingStatus`` life cycle,
``nextToken`` paging of getReports, ErrorList bodies, ``x-amzn-RateLimit-Limit`` on every answer.
Tests drive it in process (``State``: rows, faults, config) and through the toolkit's ``/_emulator`` hooks.
"""
from __future__ import annotations

import gzip
import json
import secrets
import threading
import uuid
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from flask import Response, g, request

from hub import clock
from hub.sdk.cursor import iso
from hub.testing.emulation import BadPagingValue, EmulatorApp, TokenBucket, decode_token, encode_token
from returnhub_amazon.mapping import FBA, MFN_FLAT, MFN_XML, parse_time

CLIENT_ID = "amzn1.application-oa2-client.returnhubemulator"
CLIENT_SECRET = "emulator-client-secret"
REFRESH_TOKEN = "Atzr|returnhub-emulator-refresh-token"
MARKETPLACE_ID = "A1PA6795UKMFR9"  # amazon.de
REPORTS = "/reports/2021-06-30"

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
# XML element per flat-file column (the XML report's documented names): return, label and item level.
_XML = {
    "": {"Order ID": "order_id", "Order date": "order_date", "Amazon RMA ID": "amazon_rma_id",
         "Return request date": "return_request_date", "Return request status": "return_request_status",
         "A-to-Z Claim": "a_to_z_claim", "Is prime": "is_prime", "Return type": "return_type",
         "Order Amount": "order_amount", "Order quantity": "order_quantity"},
    "label_details": {"Tracking ID": "tracking_id", "Return carrier": "return_carrier",
                      "Currency code": "currency_code", "Label cost": "label_cost", "Label type": "label_type"},
    "item_details": {"Item Name": "item_name", "ASIN": "asin", "Return Reason": "return_reason_code",
                     "Merchant SKU": "merchant_sku", "In policy": "in_policy", "Return quantity": "return_quantity",
                     "Resolution": "resolution", "Refunded Amount": "refund_amount"},
}
# Usage plans of the model (rate per second, burst), sent back in x-amzn-RateLimit-Limit.
PLANS = {"createReport": (0.0167, 15), "getReports": (0.0222, 10), "getReport": (2.0, 15),
         "getReportDocument": (0.0167, 15), "createRestrictedDataToken": (1.0, 10),
         "getOrderAddress": (0.5, 30), "getOrderBuyerInfo": (0.5, 30)}
# Report types Amazon offers (a sample; an unknown one is refused as Amazon refuses it).
REPORT_TYPES = {MFN_FLAT, MFN_XML, FBA, "GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FLAT_FILE_OPEN_LISTINGS_DATA",
                "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
                "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "GET_SALES_AND_TRAFFIC_REPORT"}
STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
RETURNS_REPORT_DAYS = 60


def _now() -> datetime:
    return clock.now().replace(microsecond=0)


def _parse(value) -> datetime | None:
    """A report date or request time (ISO 8601 or '12-Mar-2024'); None when unreadable."""
    return parse_time(value) if isinstance(value, str) else None


def mfn_row(rma: str, order: str, sku: str, *, requested_at: datetime | None = None, quantity="1",
            status="Approved", reason="CR-DEFECTIVE", in_policy="Y", refunded="0.00", asin="B0EMU00001",
            name="Emulated item", **columns) -> dict:
    """A merchant-fulfilled returns report row (flat-file column names); ``columns`` override any."""
    at = requested_at or _now() - timedelta(days=1)
    return {"Order ID": order, "Order date": (at - timedelta(days=6)).isoformat(),
            "Return request date": at.isoformat(), "Return request status": status, "Amazon RMA ID": rma,
            "Label type": "AmazonUnPaidLabel", "Label cost": "0.00", "Currency code": "EUR", "Return carrier": "DHL",
            "Tracking ID": f"JJD{rma[-8:]}", "Label to be paid by": "Customer", "A-to-Z Claim": "N", "Is prime": "N",
            "ASIN": asin, "Merchant SKU": sku, "Item Name": name, "Return quantity": str(quantity),
            "Return Reason": reason, "In policy": in_policy, "Return type": "C-Returns",
            "Resolution": "StandardRefund", "Order Amount": "29.99", "Order quantity": "1",
            "Refunded Amount": refunded, **columns}


def fba_row(order: str, sku: str, plate: str, *, returned_at: datetime | None = None, quantity="1",
            reason="UNWANTED_ITEM", **columns) -> dict:
    """An FBA customer returns report row; ``columns`` override any."""
    return {"return-date": (returned_at or _now() - timedelta(days=2)).isoformat(), "order-id": order, "sku": sku,
            "asin": "B0EMUFBA01", "fnsku": "X00EMU0001", "product-name": "Emulated FBA item",
            "quantity": str(quantity), "fulfillment-center-id": "LEJ1", "detailed-disposition": "SELLABLE",
            "reason": reason, "status": "Unit returned to inventory", "license-plate-number": plate, **columns}


def _demo_rows() -> tuple[list[dict], list[dict]]:
    day = timedelta(days=1)
    mfn = [mfn_row("DnRmK8xQRRMA", "302-4417842-1188313", "SHIRT-BLUE-M", requested_at=_now() - 3 * day,
                   name="Oxford shirt blue M", reason="AMZ-PG-APP-TOO-SMALL"),
           mfn_row("DmV2tb7pRRMA", "305-9923410-7782701", "MUG-SET-4", requested_at=_now() - 2 * day,
                   name="Stoneware mug set (4)", reason="CR-DAMAGED_BY_CARRIER", refunded="24.95"),
           mfn_row("DmV2tb7pRRMA", "305-9923410-7782701", "MUG-SAUCER", requested_at=_now() - 2 * day,
                   name="Saucer", quantity="2", reason="CR-DAMAGED_BY_CARRIER"),
           mfn_row("DqP0zK3sRRMA", "028-1180045-5529132", "LAMP-OAK", requested_at=_now() - day,
                   name="Oak table lamp", reason="CR-UNWANTED_ITEM", in_policy="N", status="Authorized")]
    fba = [fba_row("171-5532201-9091127", "HEADPHONE-X", "LPNRR1002873411", reason="DEFECTIVE",
                   **{"detailed-disposition": "CUSTOMER_DAMAGED"}),
           fba_row("171-2210987-4401933", "CABLE-USB-C-2M", "LPNRR1002873512")]
    return mfn, fba


class State:
    """Everything the emulated seller account holds, behind one lock."""

    def __init__(self, demo: bool):
        self.lock = threading.Lock()
        self.rows = dict(zip(("mfn", "fba"), _demo_rows())) if demo else {"mfn": [], "fba": []}
        self.rdts: dict[str, set[str]] = {}
        self.reports: dict[str, dict] = {}
        self.documents: dict[str, dict] = {}
        self.downloads: dict[str, tuple[str, datetime]] = {}
        self.faults: list[dict] = []
        self.buckets: dict[str, TokenBucket] = {}
        self.config = {"polls_to_finish": 3, "gzip": True, "url_ttl": 300, "pii_role": True,
                       "storage_url": None, "usage_plans": False}

    def add(self, mfn=(), fba=()) -> None:
        """More rows in the returns reports (build them with mfn_row/fba_row)."""
        with self.lock:
            self.rows["mfn"].extend(mfn)
            self.rows["fba"].extend(fba)

    def arm(self, operation: str, kind: str, count: int = 1, reason: str | None = None,
            report_type: str | None = None) -> None:
        """Arm a fault: ``429`` for an operation, ``fatal``/``cancel`` for createReport, ``expire_url`` for download."""
        with self.lock:
            self.faults.append({"operation": operation, "kind": kind, "count": count, "reason": reason,
                                "reportType": report_type})

    def age(self, report_id: str, seconds: float) -> None:
        """Move a report's times back by ``seconds`` (a FATAL report that has cooled down)."""
        with self.lock:
            report = self.reports[report_id]
            for field in ("createdTime", "processingStartTime", "processingEndTime"):
                if field in report:
                    report[field] = iso(_parse(report[field]) - timedelta(seconds=seconds))

    def take_fault(self, operation: str, kinds: tuple[str, ...], report_type: str | None = None) -> dict | None:
        """The first armed fault of ``operation`` with a kind in ``kinds`` (counted down), else None."""
        for fault in self.faults:
            if (fault["operation"] == operation and fault["kind"] in kinds and fault["count"] > 0
                    and fault.get("reportType") in (None, report_type)):
                fault["count"] -= 1
                return fault
        return None


def errors(status: int, code: str, message: str) -> tuple[dict, int]:
    """Amazon's ErrorList answer."""
    return {"errors": [{"code": code, "message": message, "details": ""}]}, status


def create_app(demo: bool = False):
    """The emulator as a Flask app; ``demo`` seeds a few realistic MFN and FBA returns."""
    emu = EmulatorApp(__name__)
    app, state = emu.app, State(demo)
    app.extensions["amazon_emulator"] = state
    emu.oauth2({CLIENT_ID: CLIENT_SECRET}, path="/auth/o2/token", ttl=3600).add_refresh_token(CLIENT_ID, REFRESH_TOKEN)

    def guard(operation: str):
        """403 without a live access (or restricted data) token; 429 past the usage plan or when armed."""
        token = request.headers.get("x-amz-access-token", "")
        body = request.get_json(silent=True) if request.method == "POST" else None
        with state.lock:
            if operation.startswith("getOrder"):  # the restricted data token must name this path
                valid = request.path in state.rdts.get(token, ())
            else:
                valid = emu.tokens.grant(token) is not None
            if not valid:
                return errors(403, "Unauthorized", "Access to requested resource is denied.")
            rate, burst = PLANS[operation]
            bucket = state.buckets.setdefault(operation, TokenBucket(burst, burst / rate))
            if (state.config["usage_plans"] and bucket.take() > 0) or state.take_fault(
                    operation, ("429",), body.get("reportType") if isinstance(body, dict) else None):
                return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        return None

    def api(method: str, rule: str, operation: str):
        """Route an SP-API operation: guarded, and answered with its usage plan's header."""
        def register(view):
            def guarded(**kwargs):
                g.operation = operation
                return guard(operation) or view(**kwargs)
            app.add_url_rule(rule, operation, guarded, methods=[method])
            return view
        return register

    @app.after_request
    def usage_plan(resp):
        if g.get("operation"):
            resp.headers["x-amzn-RateLimit-Limit"] = str(PLANS[g.operation][0])
        return resp

    @api("POST", f"{REPORTS}/reports", "createReport")
    def create_report():
        body = request.get_json(silent=True)
        problem = _create_problem(body if isinstance(body, dict) else {})
        if problem:
            return errors(400, "InvalidInput", problem)
        with state.lock:
            report_id = str(50000000000 + len(state.reports) + 1)
            outcome = state.take_fault("createReport", ("fatal", "cancel"), body["reportType"])
            state.reports[report_id] = {
                "reportId": report_id, "reportType": body["reportType"], "marketplaceIds": body["marketplaceIds"],
                "dataStartTime": iso(_parse(body.get("dataStartTime")) or _now()),
                "dataEndTime": iso(_parse(body.get("dataEndTime")) or _now()),
                "createdTime": iso(_now()), "processingStatus": "IN_QUEUE", "_polls": 0,
                "_outcome": outcome and {"kind": outcome["kind"], "reason": outcome.get("reason")}}
        return {"reportId": report_id}, 202

    @api("GET", f"{REPORTS}/reports", "getReports")
    def get_reports():
        try:
            query = _reports_query(request.args)
        except (BadPagingValue, ValueError) as exc:
            return errors(400, "InvalidInput", str(exc))
        with state.lock:
            found = sorted((_public(r) for r in state.reports.values() if _matches(r, query)),
                           key=lambda r: r["createdTime"], reverse=True)
        start, size = query["o"], query["pageSize"]
        more = {"nextToken": encode_token(start + size, **{k: v for k, v in query.items() if k != "o"})}
        return {"reports": found[start:start + size], **(more if start + size < len(found) else {})}

    @api("GET", f"{REPORTS}/reports/<report_id>", "getReport")
    def get_report(report_id):
        with state.lock:
            if report_id not in state.reports:
                return errors(404, "NotFound", "Report not found")
            _advance(state, state.reports[report_id])
            return _public(state.reports[report_id])

    @api("GET", f"{REPORTS}/documents/<document_id>", "getReportDocument")
    def get_report_document(document_id):
        with state.lock:
            doc = state.documents.get(document_id)
            if doc is None:
                return errors(404, "NotFound", "Document not found")
            key, ttl = secrets.token_urlsafe(16), state.config["url_ttl"]
            expired = state.take_fault("download", ("expire_url",)) is not None
            state.downloads[key] = (document_id, _now() + timedelta(seconds=-1 if expired else ttl))
        # The storage host is configured (or this server's own address), never the caller's Host header.
        base = state.config["storage_url"] or f"http://{request.environ['SERVER_NAME']}:{request.environ['SERVER_PORT']}"
        url = f"{base.rstrip('/')}/_storage/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires={ttl}" \
              f"&X-Amz-Signature={secrets.token_hex(32)}"
        return {"reportDocumentId": document_id, "url": url,
                **({"compressionAlgorithm": doc["compression"]} if doc["compression"] else {})}

    @app.get("/_storage/<key>")
    def download(key):
        found = state.downloads.get(key)
        if "Authorization" in request.headers or "x-amz-access-token" in request.headers:
            code, status = "InvalidArgument</Code><Message>Only one auth mechanism allowed</Message>", 400
        elif found is None or found[1] <= _now():
            code, status = ("NoSuchKey</Code>", 404) if found is None else \
                ("AccessDenied</Code><Message>Request has expired</Message>", 403)
        else:
            doc = state.documents[found[0]]
            return Response(doc["content"], status=200, content_type=doc["content_type"])
        return Response(f"<Error><Code>{code}</Error>", status=status, mimetype="application/xml")

    @api("POST", "/tokens/2021-03-01/restrictedDataToken", "createRestrictedDataToken")
    def restricted_data_token():
        if not state.config["pii_role"]:
            return errors(403, "Unauthorized", "Application does not have access to the requested data elements")
        token = "Atz.sprdt|" + secrets.token_urlsafe(24)
        resources = (request.get_json(silent=True) or {}).get("restrictedResources") or []
        with state.lock:
            state.rdts[token] = {r.get("path") for r in resources}
        return {"restrictedDataToken": token, "expiresIn": 3600}

    @api("GET", "/orders/v0/orders/<order_id>/address", "getOrderAddress")
    def order_address(order_id):
        return {"payload": {"AmazonOrderId": order_id, "ShippingAddress": {
            "Name": "Emma Schneider", "AddressLine1": "Lindenstraße 12", "City": "Leipzig", "PostalCode": "04109",
            "CountryCode": "DE", "Phone": "+49 341 5550123"}}}

    @api("GET", "/orders/v0/orders/<order_id>/buyerInfo", "getOrderBuyerInfo")
    def order_buyer(order_id):
        return {"payload": {"AmazonOrderId": order_id, "BuyerEmail": "q7ttm0n4lp2x9@marketplace.amazon.de",
                            "BuyerName": "Emma Schneider"}}

    return app


def _create_problem(body: dict) -> str | None:
    """What Amazon refuses in createReport (CreateReportSpecification, report types, 60-day returns window)."""
    start, end, ids = body.get("dataStartTime"), body.get("dataEndTime"), body.get("marketplaceIds")
    if body.get("reportType") not in REPORT_TYPES:
        return f"Invalid reportType {body.get('reportType')!r}"
    if not isinstance(ids, list) or not 1 <= len(ids) <= 25 or not all(isinstance(i, str) for i in ids):
        return "marketplaceIds must list 1 to 25 marketplace ids"
    if (start is not None and _parse(start) is None) or (end is not None and _parse(end) is None):
        return "dataStartTime and dataEndTime must be ISO 8601 date-times"
    start, end = _parse(start) or clock.now(), _parse(end) or clock.now()
    if start > end or end > clock.now():
        return "dataStartTime must not be after dataEndTime, nor either after the current time"
    if body["reportType"] in (MFN_FLAT, MFN_XML) and end - start > timedelta(days=RETURNS_REPORT_DAYS):
        return f"returns reports cover at most {RETURNS_REPORT_DAYS} days"
    return None


def _reports_query(args) -> dict:
    """getReports' filters, from the query or from the nextToken (then the only parameter, as Amazon says)."""
    if args.get("nextToken"):
        if set(args) != {"nextToken"}:
            raise ValueError("nextToken must be the only parameter")
        return decode_token(args["nextToken"])

    def listed(name: str) -> list[str]:
        return [v for value in args.getlist(name) for v in value.split(",") if v]

    query = {"reportTypes": listed("reportTypes"), "processingStatuses": listed("processingStatuses"),
             "marketplaceIds": listed("marketplaceIds"), "o": 0, "pageSize": int(args.get("pageSize", 10)),
             "createdSince": args.get("createdSince") or iso(_now() - timedelta(days=90)),
             "createdUntil": args.get("createdUntil") or iso(_now())}
    if not query["reportTypes"]:
        raise ValueError("reportTypes or nextToken is required")
    unknown = set(query["processingStatuses"]) - set(STATUSES)
    if unknown or len(query["reportTypes"]) > 10 or not 1 <= query["pageSize"] <= 100:
        raise ValueError(f"invalid processingStatuses {sorted(unknown)}" if unknown else
                         "at most 10 reportTypes and a pageSize of 1 to 100")
    if _parse(query["createdSince"]) is None or _parse(query["createdUntil"]) is None:
        raise ValueError("createdSince and createdUntil must be ISO 8601 date-times")
    return query


def _matches(report: dict, query: dict) -> bool:
    return (report["reportType"] in query["reportTypes"]
            and (not query["processingStatuses"] or report["processingStatus"] in query["processingStatuses"])
            and (not query["marketplaceIds"] or set(report["marketplaceIds"]) & set(query["marketplaceIds"]))
            and _parse(query["createdSince"]) <= _parse(report["createdTime"]) <= _parse(query["createdUntil"]))


def _public(report: dict) -> dict:
    return {k: v for k, v in report.items() if not k.startswith("_")}


def _advance(state: State, report: dict) -> None:
    """One getReport call moves a report one step: IN_QUEUE -> IN_PROGRESS -> DONE/CANCELLED/FATAL."""
    if report["processingStatus"] not in ("IN_QUEUE", "IN_PROGRESS"):
        return
    report["_polls"] += 1
    if report["_polls"] < state.config["polls_to_finish"]:
        if report["_polls"] > 1:
            report["processingStatus"] = "IN_PROGRESS"
            report.setdefault("processingStartTime", iso(_now()))
        return
    report.setdefault("processingStartTime", iso(_now()))
    report["processingEndTime"] = iso(_now())
    outcome = report["_outcome"] or {}
    if outcome.get("kind") == "fatal":
        report["processingStatus"] = "FATAL"
        if outcome.get("reason"):
            report["reportDocumentId"] = _store(state, json.dumps({"errorDetails": outcome["reason"]}).encode(),
                                                "application/json")
        return
    content = None if outcome.get("kind") == "cancel" else _content(state, report)
    report["processingStatus"] = "DONE" if content else "CANCELLED"  # CANCELLED: Amazon's "no data"
    if content:
        report["reportDocumentId"] = _store(state, content, "text/plain;charset=UTF-8")


def _store(state: State, content: bytes, content_type: str) -> str:
    doc_id = "amzn1.spdoc.1.4.eu." + str(uuid.uuid4())
    compression = "GZIP" if state.config["gzip"] else None
    state.documents[doc_id] = {"content": gzip.compress(content) if compression else content,
                               "compression": compression, "content_type": content_type}
    return doc_id


def _content(state: State, report: dict) -> bytes | None:
    """The report document for the rows whose date falls in the report's window; None when none do."""
    start, end = _parse(report["dataStartTime"]), _parse(report["dataEndTime"])
    kind, column = ("fba", "return-date") if report["reportType"] == FBA else ("mfn", "Return request date")
    def within(row: dict) -> bool:  # a date-only value ('12-Mar-2024') is its whole day
        moment = _parse(row.get(column))
        if moment is None:
            return True  # an unreadable date is served, as Amazon would
        return start - timedelta(days=1) < moment <= end if len(row[column]) <= 11 else start <= moment <= end

    rows = [row for row in state.rows[kind] if within(row)]
    if not rows or report["reportType"] not in (MFN_FLAT, MFN_XML, FBA):
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

    def elements(row: dict, level: str) -> str:
        inner = "".join(f"<{tag}>{escape(str(row.get(col, '')))}</{tag}>" for col, tag in _XML[level].items())
        return f"<{level}>{inner}</{level}>" if level else inner

    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', "<root>", *(
        "<return_details>" + elements(group[0], "") + elements(group[0], "label_details")
        + "".join(elements(r, "item_details") for r in group) + "</return_details>"
        for group in by_rma.values()), "</root>"])


def demo_orders(app) -> list[dict]:
    """The orders behind the seeded returns (order id, lines with SKU, title, quantity), for the demo shop."""
    state: State = app.extensions["amazon_emulator"]
    orders: dict[str, dict] = {}
    for kind, (order, sku, title, qty) in (("mfn", ("Order ID", "Merchant SKU", "Item Name", "Return quantity")),
                                           ("fba", ("order-id", "sku", "product-name", "quantity"))):
        for row in state.rows[kind]:
            lines = orders.setdefault(row[order], {"order_id": row[order], "lines": []})["lines"]
            quantity = max(int(row[qty]), int(row.get("Order quantity") or 0))
            lines.append({"sku": row[sku], "ean": None, "title": row[title], "quantity": quantity})
    return list(orders.values())
