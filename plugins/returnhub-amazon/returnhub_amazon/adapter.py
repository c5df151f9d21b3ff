"""The Amazon marketplace adapter: returns through the Reports API life cycle, no decision push."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from hub import clock
from hub.adapters import Marketplace
from hub.errors import AuthError, HubError, PermanentError, TransientError
from hub.model import Page, Quarantined
from hub.sdk.cursor import IncrementalCursor, iso, parse_time
from returnhub_amazon import mapping
from returnhub_amazon.client import ReportsClient
from returnhub_amazon.settings import AmazonSettings

TERMINAL = {"DONE", "CANCELLED", "FATAL"}
CLOCK_SKEW = timedelta(minutes=2)  # Amazon refuses a dataEndTime after its own "now"
VERSION = 2


class AmazonMarketplace(Marketplace):
    """Ingest-only: Amazon authorises returns itself, so the merchant's decision stays in Returnhub."""

    slug = "amazon"
    title = "Amazon"
    settings_schema = AmazonSettings

    def __init__(self, ctx):
        super().__init__(ctx)
        self.opts = AmazonSettings().load(ctx.settings)  # stored settings may predate new defaults
        self.client = ReportsClient(ctx, self.opts)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        self.client.auth.renew(stale=self.client.auth.state.access_token)  # the refresh token still works
        self.client.get_reports(self._streams()["mfn"])

    def push_decision(self, ret, lines) -> None:
        raise PermanentError("Amazon takes no return decision through its API (manifest push_decision: "
                             "false); the decision stays in Returnhub and the shop")

    # --- the cursor: one hub.sdk IncrementalCursor per report stream -------------------------------

    def _streams(self) -> dict[str, str]:
        """Stream name -> report type."""
        streams = {"mfn": mapping.MFN_XML if self.opts["returns_report_format"] == "xml" else mapping.MFN_FLAT}
        if self.opts["import_fba_returns"]:
            streams["fba"] = mapping.FBA
        return streams

    def _load(self, cursor: str | None) -> dict[str, IncrementalCursor]:
        """Each stream's cursor: ``mark`` = data complete up to; ``run`` = the report in progress (``page``)."""
        overlap = timedelta(hours=self.opts["window_overlap_hours"])
        try:
            data = json.loads(cursor) if cursor else {"v": VERSION, "streams": {}}
            streams = data["streams"]
            if data["v"] == 1:  # before hub.sdk: {"since": ...}; the window is read again, nothing is lost
                streams = {n: {"v": 1, "mark": s.get("since") and iso(parse_time(s["since"]) + overlap)}
                           for n, s in streams.items()}
            elif data["v"] != VERSION:
                raise ValueError(f"version {data['v']!r}")
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentError(f"unreadable Amazon cursor ({exc}): reset the connection's cursor") from exc
        return {name: IncrementalCursor.load(json.dumps(streams[name]) if name in streams else None, overlap=overlap,
                                             initial=timedelta(days=self.opts["initial_lookback_days"]))
                for name in self._streams()}

    @staticmethod
    def _dump(streams: dict[str, IncrementalCursor]) -> str:
        """Deterministic JSON: an unchanged state gives the very same string."""
        return json.dumps({"v": VERSION, "streams": {n: json.loads(c.dump()) for n, c in streams.items()}},
                          sort_keys=True, separators=(",", ":"))

    # --- fetching ----------------------------------------------------------------------------

    def fetch_returns(self, cursor: str | None) -> Page:
        """One step of the report life cycle per call; see README "Cursor and report life cycle"."""
        types, streams = self._streams(), self._load(cursor)
        now = clock.now().replace(microsecond=0)
        pending = {n: c.run["page"] for n, c in streams.items() if c.run and c.run.get("page")}
        if not pending:
            for name, cur in streams.items():
                try:
                    self._create(cur, types[name])
                except TransientError:
                    if not any(c.run for c in streams.values()):
                        raise
                    break  # keep the reports already created; the others start with the next cycle
            return Page(items=[], cursor=self._dump(streams), more=True)

        before = self._dump(streams)
        items, errors, created = [], [], False
        for name, report in self._poll(pending).items():
            cur, status = streams[name], report["processingStatus"]
            if status == "DONE":
                items += self._import(types[name], report)
            if status == "DONE" or (status == "CANCELLED" and cur.run.get("catch_up")):
                cur.run["max"] = cur.run["until"]  # the data is complete up to the window's end
                cur.finish()
            elif status == "CANCELLED":  # Amazon's "no data": the window is asked again next time
                cur.run = None
            elif (age := (now - _finished_at(report)).total_seconds()) >= self.opts["fatal_retry_seconds"]:
                self._create(cur, types[name], fatal=cur.run.get("fatal", 0) + 1)
                created = True
            else:
                errors.append(self._fatal_error(cur.run.get("fatal", 0), report, age))
        after = self._dump(streams)
        if errors and not items and after == before:
            raise errors[0]
        return Page(items=items, cursor=after, more=created or bool(errors))

    def _create(self, cur: IncrementalCursor, report_type: str, fatal: int = 0) -> None:
        """createReport for the stream's next window (at most ``max_window_days``) and keep it as the run."""
        cur.run = None
        start = cur.since.replace(microsecond=0)
        # the new walk's own signpost: a first window's start (until - lookback) and its end come from one
        # clock reading, so the window is exactly the lookback whatever second the call straddles
        now = cur.until.replace(microsecond=0)
        end = min(start + timedelta(days=self.opts["max_window_days"]), now - CLOCK_SKEW)
        try:
            report_id = self._report_for(report_type, start, end)
        except HubError:
            cur.run = None
            raise
        cur.run.update(since=iso(start), until=iso(end), page=report_id, catch_up=end < now - CLOCK_SKEW,
                       **({"fatal": fatal} if fatal else {}))

    def _report_for(self, report_type: str, start: datetime, end: datetime) -> str:
        """createReport; when the connection broke with no answer, Amazon may have created it: find it."""
        asked = clock.now()
        try:
            return self.client.create_report(report_type, start, end)
        except TransientError as exc:
            found = None if exc.status else self.client.find_report(report_type, start, end,
                                                                    asked - timedelta(minutes=5))
            if found is None:
                raise
            return found

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
            clock.sleep(wait)
            wait = min(wait * 2, self.opts["report_poll_max_seconds"])

    def _import(self, report_type: str, report: dict) -> list:
        """Download and map a DONE report's document."""
        if not report.get("reportDocumentId"):
            raise TransientError(f"Amazon report {report['reportId']} is DONE without a document")
        content, charset = self.client.document_bytes(report["reportDocumentId"])
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

    def _fatal_error(self, before: int, report: dict, age: float) -> HubError:
        """FATAL: transient until it happened ``max_fatal_reports`` times in a row, then permanent."""
        in_a_row = before + 1
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
    return parse_time(report.get("processingEndTime") or report["createdTime"])
