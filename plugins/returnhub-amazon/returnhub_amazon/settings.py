"""The connection form of an Amazon seller account: LWA credentials, region, report options."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.sdk import settings_fields

REGION_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"

# Return request status values of the merchant-fulfilled returns report. Amazon documents the column
# but not its values (research §2.2: UNVERIFIED), so the list is a setting a merchant can extend.
DEFAULT_RETURN_STATUSES = [
    "Approved", "Authorized", "Closed", "Completed", "Pending", "PendingApproval", "Rejected", "Requested",
]


def _label(label: str, help: str, **extra) -> dict:
    return {"label": label, "help": help, **extra}


def _rate(operation: str, default: float) -> fields.Float:
    return fields.Float(load_default=default, validate=validate.Range(min=0.0001), metadata=_label(
        f"{operation} rate (requests/s)", f"Amazon's sustained rate for {operation}, shared by every worker "
        "of this connection."))


def _burst(operation: str, default: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(min=1), metadata=_label(
        f"{operation} burst", f"Requests to {operation} Amazon accepts at once before the rate applies."))


# Operation -> settings prefix of its rate and burst.
RATE_LIMITED_OPERATIONS = {"createReport": "create_report", "getReport": "get_report",
                           "getReportDocument": "get_report_document", "getReports": "get_reports"}


def operation_rate_limit(settings: dict, operation: str) -> dict:
    """The core limiter's bucket for one operation: ``burst`` at once, refilled at ``rate`` per second."""
    prefix = RATE_LIMITED_OPERATIONS[operation]
    burst, rate = settings[f"{prefix}_burst"], settings[f"{prefix}_rate"]
    return {"requests": burst, "per_seconds": burst / rate}


class AmazonSettings(Schema):
    """Settings of one Amazon connection (one seller account in one region)."""

    lwa_client_id = settings_fields.credential(
        "LWA client id",
        "The Login with Amazon client identifier of your SP-API application.")
    lwa_client_secret = settings_fields.secret("LWA client secret", "The application's LWA client secret.")
    refresh_token = settings_fields.secret(
        "Refresh token",
        "The seller's LWA refresh token (Atzr|…) from authorizing the app.")
    region = settings_fields.choice(
        "Region",
        "SP-API region of the seller account: NA, EU (incl. UK, TR, IN) or FE.",
        default="EU", choices=sorted(REGION_ENDPOINTS))
    endpoint = fields.String(load_default=None, allow_none=True, metadata=_label(
        "SP-API endpoint", "Leave empty for the region's production host; set only for a sandbox or emulator."))
    lwa_token_url = fields.String(load_default=LWA_TOKEN_URL, metadata=_label(
        "LWA token URL", "Where access tokens are requested."))
    marketplace_ids = fields.List(fields.String(validate=validate.Length(min=1)), required=True,
                                  validate=validate.Length(min=1, max=25), metadata=_label(
        "Marketplace ids", "Amazon marketplace ids the reports cover, e.g. A1PA6795UKMFR9 (DE), A1805IZSGTT6HS (NL)."))
    returns_report_format = settings_fields.choice(
        "Returns report format",
        "Merchant-fulfilled returns report: tab-separated flat file or the XML variant.",
        default="flat_file", choices=["flat_file", "xml"])
    import_fba_returns = fields.Boolean(load_default=True, metadata=_label(
        "Import FBA customer returns", "Also import returns of orders fulfilled by Amazon (informational only)."))
    fetch_customer_address = fields.Boolean(load_default=False, metadata=_label(
        "Fetch customer address", "Needs the restricted-data role (PII): fetches address and buyer e-mail through "
        "the Orders API with a restricted data token. Off: returns carry the order reference only."))
    initial_lookback_days = settings_fields.number(
        "First import (days)",
        "How far back the first poll looks.",
        default=30, low=1, high=365)
    window_overlap_hours = settings_fields.number(
        "Window overlap (hours)",
        "Each report starts this long before the end of the previous one, so late rows "
        "are not missed; duplicates are removed by the RMA id.",
        default=48, low=0, high=24 * 14)
    max_window_days = settings_fields.number(
        "Largest window (days)",
        "Amazon accepts at most 60 days per returns report.",
        default=30, low=1, high=60)
    report_poll_initial_seconds = fields.Float(load_default=5.0, validate=validate.Range(min=0), metadata=_label(
        "First status poll after (s)", "Wait before the first getReport poll; doubles each poll."))
    report_poll_max_seconds = fields.Float(load_default=60.0, validate=validate.Range(min=0), metadata=_label(
        "Longest poll interval (s)", "Cap of the doubling wait between getReport polls."))
    report_poll_budget_seconds = fields.Float(load_default=180.0, validate=validate.Range(min=0), metadata=_label(
        "Polling budget per run (s)", "After this, the run ends and the next poll resumes the same report."))
    fatal_retry_seconds = fields.Float(load_default=900.0, validate=validate.Range(min=0), metadata=_label(
        "Retry a failed report after (s)", "A FATAL report is reported as an error until it is this old; then a "
        "new report replaces it."))
    max_fatal_reports = fields.Integer(load_default=3, validate=validate.Range(min=1), metadata=_label(
        "FATAL reports before attention", "Consecutive FATAL reports after which the error is permanent."))
    known_return_statuses = fields.List(fields.String(), load_default=lambda: list(DEFAULT_RETURN_STATUSES),
                                        metadata=_label("Known return statuses", "Values of 'Return request status' "
                                                        "the plugin imports; rows with another value are "
                                                        "quarantined with their status for review."))
    # Amazon's default usage plans per operation (reports_2021-06-30.json, research §2.3); a seller
    # with a higher plan sees it in the x-amzn-RateLimit-Limit answer header and can raise these.
    create_report_rate, create_report_burst = _rate("createReport", 0.0167), _burst("createReport", 15)
    get_report_rate, get_report_burst = _rate("getReport", 2.0), _burst("getReport", 15)
    get_report_document_rate = _rate("getReportDocument", 0.0167)
    get_report_document_burst = _burst("getReportDocument", 15)
    get_reports_rate, get_reports_burst = _rate("getReports", 0.0222), _burst("getReports", 10)

    @validates_schema
    def poll_bounds(self, data, **kwargs):
        if data.get("report_poll_max_seconds", 60.0) < data.get("report_poll_initial_seconds", 5.0):
            raise ValidationError("must not be below the first poll wait", "report_poll_max_seconds")


def base_url(settings: dict) -> str:
    """The SP-API host of these settings: the explicit endpoint or the region's production host."""
    return (settings.get("endpoint") or REGION_ENDPOINTS[settings["region"]]).rstrip("/")
