"""The Amazon marketplace adapter: returns through the Reports API life cycle, no decision push."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from hub import clock
from hub.adapters import Marketplace
from hub.errors import AuthError, HubError, PermanentError, TransientError
from hub.model import Page, Quarantined
from returnhub_amazon import cursor as cursors
from returnhub_amazon import mapping
from returnhub_amazon.client import ReportsClient
from returnhub_amazon.settings import AmazonSettings

TERMINAL = {"DONE", "CANCELLED", "FATAL"}
CLOCK_SKEW = timedelta(minutes=2)  # Amazon refuses a dataEndTime after its own "now"


class AmazonMarketplace(Marketplace):
    """Ingest-only: Amazon authorises returns itself, so the merchant's decision stays in Returnhub."""

    slug = "amazon"
    title = "Amazon"
    settings_schema = AmazonSettings

    def __init__(self, ctx):
        super().__init__(ctx)
        self.opts = AmazonSettings().load(ctx.settings)  # stored settings may predate new defaults
        self.client = ReportsClient(ctx, self.opts)
        self.sleep = clock.sleep

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        self.client.tokens.get(renew=True)
        self.client.get_reports(self._streams()["mfn"])

    def push_decision(self, ret, lines) -> None:
        raise PermanentError("Amazon takes no return decision through its API (manifest push_decision: "
                             "false); the decision stays in Returnhub and the shop")

    # --- fetching ----------------------------------------------------------------------------

    def _streams(self) -> dict[str, str]:
        """Stream name -> report type."""
        streams = {"mfn": mapping.MFN_XML if self.opts["returns_report_format"] == "xml" else mapping.MFN_FLAT}
        if self.opts["import_fba_returns"]:
            streams["fba"] = mapping.FBA
        return streams

    def fetch_returns(self, cursor: str | None) -> Page:
        """One step of the report life cycle per call; see README "Cursor and report life cycle"."""
        types = self._streams()
        streams = cursors.load(cursor, list(types))
        now = clock.now().replace(microsecond=0)
        if not any(s.pending for s in streams.values()):
            for name, stream in streams.items():
                try:
                    self._create(stream, types[name], now)
                except TransientError:
                    if not any(s.pending for s in streams.values()):
                        raise
                    break  # keep the reports already created; the others start with the next cycle
            return Page(items=[], cursor=cursors.dump(streams), more=True)

        before = cursors.dump(streams)
        items, errors, created = [], [], False
        finished = self._poll({n: s.pending["reportId"] for n, s in streams.items() if s.pending})
        for name, report in finished.items():
            stream = streams[name]
            status = report["processingStatus"]
            if status == "DONE":
                items += self._import(stream, report)
                self._advance(stream)
            elif status == "CANCELLED":  # Amazon's "no data": the window is asked again next time
                if stream.pending.get("catch_up"):
                    self._advance(stream)
                else:
                    stream.pending, stream.fatal = None, 0
            else:
                age = (now - _finished_at(report)).total_seconds()
                if age >= self.opts["fatal_retry_seconds"]:
                    stream.fatal += 1
                    self._create(stream, types[name], now)
                    created = True
                else:
                    errors.append(self._fatal_error(stream, report, age))
        after = cursors.dump(streams)
        if errors and not items and after == before:
            raise errors[0]
        return Page(items=items, cursor=after, more=created or bool(errors))

    def _create(self, stream: cursors.Stream, report_type: str, now: datetime) -> None:
        """createReport for the stream's next window and remember it as pending."""
        start = (cursors.parse_iso(stream.since) if stream.since
                 else now - timedelta(days=self.opts["initial_lookback_days"]))
        end = min(start + timedelta(days=self.opts["max_window_days"]), now - CLOCK_SKEW)
        report_id = self.client.create_report(report_type, cursors.iso(start), cursors.iso(end))
        stream.since = cursors.iso(start)
        stream.pending = {"reportId": report_id, "reportType": report_type, "start": cursors.iso(start),
                          "end": cursors.iso(end), "catch_up": end < now - CLOCK_SKEW}

    def _advance(self, stream: cursors.Stream) -> None:
        """The window is done: the next one starts ``window_overlap_hours`` before its end."""
        start, end = (cursors.parse_iso(stream.pending[k]) for k in ("start", "end"))
        stream.since = cursors.iso(max(start, end - timedelta(hours=self.opts["window_overlap_hours"])))
        stream.pending, stream.fatal = None, 0

    def _poll(self, pending: dict[str, str]) -> dict[str, dict]:
        """getReport each pending report, doubling the wait, until all ended or the budget is spent."""
        deadline = clock.monotonic() + self.opts["report_poll_budget_seconds"]
        wait = self.opts["report_poll_initial_seconds"]
        finished: dict[str, dict] = {}
        while True:
            for name, report_id in pending.items():
                if name not in finished:
                    report = self.client.get_report(report_id)
                    if report["processingStatus"] in TERMINAL:
                        finished[name] = report
            if len(finished) == len(pending) or clock.monotonic() + wait > deadline:
                return finished
            self.sleep(wait)
            wait = min(wait * 2, self.opts["report_poll_max_seconds"])

    def _import(self, stream: cursors.Stream, report: dict) -> list:
        """Download and map a DONE report's document."""
        if not report.get("reportDocumentId"):
            raise TransientError(f"Amazon report {report['reportId']} is DONE without a document")
        content, charset = self.client.document_bytes(report["reportDocumentId"])
        report_type = stream.pending["reportType"]
        if report_type == mapping.FBA:
            return mapping.fba_returns(mapping.parse_tsv(mapping.decode(content, charset)))
        if report_type == mapping.MFN_XML:
            try:
                rows = mapping.parse_returns_xml(content)
            except ET.ParseError as exc:
                return [Quarantined(reason=f"report {report['reportId']} is not readable XML: {exc}",
                                    raw={"document": mapping.decode(content[:2000], charset)})]
        else:
            rows = mapping.parse_tsv(mapping.decode(content, charset))
        items = mapping.mfn_returns(rows, self.opts["known_return_statuses"], report_type)
        if self.opts["fetch_customer_address"]:
            self._add_customers(items)
        return items

    def _add_customers(self, items: list) -> None:
        """Address and buyer e-mail from the Orders API with a restricted data token, per order."""
        found: dict[str, dict | None] = {}
        for item in items:
            if isinstance(item, Quarantined):
                continue
            order = item["marketplace_order_id"]
            if order not in found:
                try:
                    found[order] = mapping.customer(*self.client.order_pii(order))
                except AuthError:  # the restricted-data role is not granted for this order
                    found[order] = None
            if found[order]:
                item["customer"] = found[order]
                item["flags"] = [f for f in item["flags"] if f != "no_customer_address"]
            else:
                item["flags"].append("customer_address_unavailable")

    def _fatal_error(self, stream: cursors.Stream, report: dict, age: float) -> HubError:
        """FATAL: transient until it happened ``max_fatal_reports`` times in a row, then permanent."""
        in_a_row = stream.fatal + 1
        # Amazon's reason first: the connections list shows only the start of the message.
        message = (f"Amazon could not build the returns report (FATAL): {self._fatal_reason(report)} "
                   f"[report {report['reportId']}, {report.get('reportType')}]")
        if in_a_row >= self.opts["max_fatal_reports"]:
            return PermanentError(f"{message}; {in_a_row} FATAL reports in a row")
        return TransientError(message, retry_after=max(1.0, self.opts["fatal_retry_seconds"] - age))

    def _fatal_reason(self, report: dict) -> str:
        """Amazon's explanation: the FATAL report's document, when it has one."""
        if not report.get("reportDocumentId"):
            return "Amazon gave no reason"
        try:
            content, charset = self.client.document_bytes(report["reportDocumentId"])
        except HubError as exc:
            return f"the reason document could not be read ({exc})"
        text = mapping.decode(content, charset).strip()
        try:
            details = json.loads(text)
        except ValueError:
            return text[:500]
        return str(details.get("errorDetails") or text)[:500] if isinstance(details, dict) else text[:500]


def _finished_at(report: dict) -> datetime:
    stamp = report.get("processingEndTime") or report["createdTime"]
    return cursors.parse_iso(stamp)
