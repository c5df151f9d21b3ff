"""The connection form of one seller account at one Mirakl operator: operator, API URL and key, workflow options."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from returnhub_mirakl.operators import operator, operators

REJECTION_CODES = ["RETURN_REJECTION_NOT_ELIGIBLE", "RETURN_REJECTION_NOT_NEEDED", "RETURN_REJECTION_WINDOW_CLOSED"]
NON_COMPLIANCE_CODES = ["RETURN_NON_COMPLIANT_MISSING_ITEM", "RETURN_NON_COMPLIANT_WRONG_PRODUCT",
                        "RETURN_NON_COMPLIANT_DAMAGED_PRODUCT", "RETURN_NON_COMPLIANT_WINDOW_CLOSED",
                        "RETURN_NON_COMPLIANT_OTHER"]
RETURNS_MODULE = ["operator default", "returns module", "refunds only"]
OPEN_STATES = ["WAITING_ACCEPTANCE", "IN_PROGRESS", "RECEIVED"]


def _meta(label: str, help: str, **extra) -> dict:
    return {"label": label, "help": help, **extra}


class MiraklSettings(Schema):
    """Settings of one Mirakl connection; ``post_load`` resolves the operator's defaults."""

    instance = fields.String(required=True, validate=validate.OneOf(list(operators())), metadata=_meta(
        "Marketplace", "The marketplace you sell on.", instance=True))
    base_url = fields.String(load_default=None, allow_none=True, metadata=_meta(
        "API address", "The address of the marketplace's seller API, e.g. https://yourmarketplace.mirakl.net (the "
        "start of the back office address the marketplace gave you).", pinned=True))
    api_key = fields.String(required=True, load_only=True, validate=validate.Length(min=1), metadata=_meta(
        "API key", "Your shop's API key: in the marketplace's back office, user menu › API key.", secret=True))
    shop_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1), metadata=_meta(
        "Shop id", "Only when your user manages several shops on this marketplace."))
    returns_module = fields.String(load_default="operator default", validate=validate.OneOf(RETURNS_MODULE),
                                   metadata=_meta("Returns handling", "Whether the marketplace runs Mirakl's "
                                                  "returns module (return requests) or handles returns as order "
                                                  "incidents with refunds. Unverified per marketplace: change it if "
                                                  "'Test connection' says the returns module is off."))
    receive_step = fields.Boolean(load_default=True, metadata=_meta(
        "Mark accepted returns as received", "Send 'received' (RT25) for an accepted return before its compliance."))
    compliance_step = fields.Boolean(load_default=True, metadata=_meta(
        "Send compliance per line", "Send compliant / not compliant per order line (RT26) after receipt."))
    close_step = fields.Boolean(load_default=True, metadata=_meta(
        "Close handled returns", "Close the return (RT27) once it is handled."))
    refund_accepted = fields.Boolean(load_default=False, metadata=_meta(
        "Refund accepted lines", "Send the refund of accepted lines yourself (OR28). Off: the marketplace refunds "
        "when the return is compliant. A partial quantity needs this on."))
    refund_reason_code = fields.String(load_default="RETURN", metadata=_meta(
        "Refund reason code", "The marketplace's refund reason code (its list: reasons of type REFUND)."))
    rejection_reason_code = fields.String(load_default=REJECTION_CODES[0], validate=validate.OneOf(REJECTION_CODES),
                                          metadata=_meta("Refusal reason", "Sent when you refuse a return request."))
    non_compliance_reason_code = fields.String(load_default=NON_COMPLIANCE_CODES[-1],
                                               validate=validate.OneOf(NON_COMPLIANCE_CODES), metadata=_meta(
        "Non-compliance reason", "Sent for a line you reject after the parcel came back."))
    import_states = fields.List(fields.String(validate=validate.OneOf(OPEN_STATES)),
                                load_default=lambda: list(OPEN_STATES), metadata=_meta(
        "Return states to import", "Mirakl return states fetched (RT11)."))
    initial_days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365), metadata=_meta(
        "First import (days)", "How far back the first poll looks."))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100), metadata=_meta(
        "Page size", "Returns per page (at most 100)."))
    batch_wait_seconds = fields.Float(load_default=0.05, validate=validate.Range(min=0, max=5), metadata=_meta(
        "Batch gathering wait (s)", "How long a decision waits for others of the same job to share one call."))

    @validates_schema
    def address(self, data, **kwargs):
        op = operator(data["instance"]) if data.get("instance") in operators() else None
        url = data.get("base_url")
        if op is None:
            return
        if url and not url.startswith(("https://", "http://")):
            raise ValidationError("give the full address, starting with https://", "base_url")
        if op.has_api and not url and not op.base_url:
            pattern = (op.url_pattern or "https://{instance}.mirakl.net").replace("{instance}", "…")
            raise ValidationError(f"{op.name} needs the address of its seller API ({pattern})", "base_url")

    @post_load
    def resolve(self, data, **kwargs):
        op = operator(data["instance"])
        data["base_url"] = (data.get("base_url") or op.base_url or "").rstrip("/") or None
        return data


def uses_returns_module(settings: dict) -> bool:
    """Whether this connection works with Mirakl's returns module (else incidents and refunds)."""
    choice = settings.get("returns_module") or "operator default"
    if choice == "operator default":
        return operator(settings["instance"]).returns_module
    return choice == "returns module"
