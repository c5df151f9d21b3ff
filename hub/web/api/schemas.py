"""The API's marshmallow schemas: request validation and response shapes, and the source of the OpenAPI document."""
from __future__ import annotations

from datetime import UTC

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from hub.model import Decision, State
from hub.model.reasons import Reason
from hub.webhooks_out.outbox import EVENTS

# The six decisions and the other hubs' spellings of them (Channable writes "keeps").
SPELLINGS = {
    **{d.value: d for d in Decision},
    "accept": Decision.ACCEPTED, "reject": Decision.REJECTED, "repair": Decision.REPAIRED,
    "exchange": Decision.EXCHANGED, "keep": Decision.KEPT, "keeps": Decision.KEPT,
    "cancel": Decision.CANCELLED, "canceled": Decision.CANCELLED,
}
SCOPE_NOTE = "Scope: `{}`."


class DecisionField(fields.String):
    """One of the six decisions in any accepted spelling, loaded as :class:`hub.model.Decision`."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.OneOf(sorted(SPELLINGS)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return SPELLINGS.get(text.strip().lower(), text)


# --- shared pieces ---------------------------------------------------------------------------

class Strict(Schema):
    """Request bodies: unknown fields are errors, so a typo never passes silently."""

    class Meta:
        unknown = RAISE


class AddressOut(Schema):
    street = fields.String(allow_none=True)
    house_number = fields.String(allow_none=True)
    house_number_extension = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    company = fields.String(allow_none=True)


class CustomerOut(Schema):
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.Nested(AddressOut, allow_none=True)


class LineOut(Schema):
    id = fields.Integer(required=True)
    line_id = fields.String(required=True, attribute="external_line_id",
                            metadata={"description": "the marketplace's line id; name lines by it in decisions"})
    sku = fields.String(allow_none=True)
    ean = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    quantity = fields.Integer(required=True)
    reason_code = fields.String(allow_none=True)
    reason_text = fields.String(allow_none=True)
    customer_comment = fields.String(allow_none=True)
    unit_price = fields.Decimal(as_string=True, allow_none=True,
                                metadata={"type": "string", "format": "decimal", "description": "exact, e.g. \"19.95\""})
    currency = fields.String(allow_none=True)
    decision = fields.String(allow_none=True, validate=validate.OneOf([d.value for d in Decision]))
    decision_quantity = fields.Integer(allow_none=True)
    decision_note = fields.String(allow_none=True)
    decision_raw = fields.String(allow_none=True, metadata={"description": "a shop value that is not one of the six"})
    decided_at = fields.DateTime(allow_none=True)
    pushed_at = fields.DateTime(allow_none=True)


class EventOut(Schema):
    at = fields.DateTime(required=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(required=True)
    actor = fields.String(required=True)
    detail = fields.String(allow_none=True)


class ReturnOut(Schema):
    id = fields.Integer(required=True)
    connection_id = fields.Integer(required=True)
    marketplace = fields.String(required=True)
    marketplace_name = fields.String(metadata={"description": "the marketplace as merchants know it, e.g. the "
                                                              "operator of a multi-instance plugin (MediaMarkt)"})
    shop = fields.String(required=True)
    external_id = fields.String(required=True, metadata={"description": "the marketplace's return id"})
    marketplace_order_id = fields.String(required=True)
    shop_order_id = fields.String(allow_none=True)
    shop_return_id = fields.String(allow_none=True)
    fulfilment = fields.String(required=True)
    fulfilment_method = fields.String(allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in State]))
    decision = fields.String(allow_none=True, metadata={
        "description": "the lines' common decision, `mixed` when they differ, null while undecided"})
    is_test = fields.Boolean(required=True)
    flags = fields.List(fields.String(), required=True)
    merchant_action = fields.String(allow_none=True, metadata={
        "description": "what the merchant must do outside Returnhub for this return (a misdirected OTTO parcel to "
                       "have forwarded, ...)"})
    requires_action = fields.Boolean(required=True, metadata={
        "description": "the merchant action is still pending: set, and the return not decided yet"})
    attention_reason = fields.String(allow_none=True)
    requested_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    customer = fields.Nested(CustomerOut, allow_none=True)
    invoice_address = fields.Nested(AddressOut, allow_none=True)
    lines = fields.List(fields.Nested(LineOut), required=True)


class ReturnDetailOut(ReturnOut):
    events = fields.List(fields.Nested(EventOut), required=True)


class ReturnPage(Schema):
    items = fields.List(fields.Nested(ReturnOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "pass as `cursor` for the next page; null on the last"})


# --- returns: requests -------------------------------------------------------------------------

class ReturnQuery(Schema):
    state = fields.String(validate=validate.OneOf([s.value for s in State]))
    decision = fields.String(validate=validate.OneOf([d.value for d in Decision]))
    connection_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    marketplace = fields.String(validate=validate.Length(min=1, max=64))
    modified_after = fields.AwareDateTime(default_timezone=UTC)
    modified_before = fields.AwareDateTime(default_timezone=UTC)
    search = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "marketplace order id, return id, shop return id or a line's EAN/SKU"})
    is_test = fields.Boolean()
    requires_action = fields.Boolean(metadata={
        "description": "true: only returns waiting for the merchant's action outside Returnhub"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(min=1, max=100))


class LineDecisionIn(Strict):
    line_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    decision = DecisionField(required=True)
    quantity = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0),
                              metadata={"description": "items the decision covers; the line's quantity when left out"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DecisionIn(Strict):
    """Either one ``decision`` for every line or ``lines`` with a decision each (``status`` is an alias)."""

    decision = DecisionField()
    status = DecisionField(metadata={"description": "alias of `decision` (Channable's name)"})
    lines = fields.List(fields.Nested(LineDecisionIn), validate=validate.Length(min=1, max=500))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000), metadata={
        "description": "required when the merchant decides in Returnhub instead of the shop"})

    @validates_schema
    def one_way(self, data, **kwargs):
        given = [k for k in ("decision", "status", "lines") if data.get(k) is not None]
        if len(given) != 1:
            raise ValidationError("give exactly one of decision, status or lines", "decision")


class AcknowledgeIn(Strict):
    shop_return_id = fields.String(required=True, validate=validate.Length(min=1, max=255),
                                   metadata={"description": "the shop's own id of the return"})


class NewReturnsQuery(Schema):
    connection_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class NewReturnOut(ReturnOut):
    reference = fields.String(required=True, metadata={"description": "Returnhub's reference of the return"})
    accepted = fields.Boolean(required=True, metadata={
        "description": "already accepted (fulfilled by the marketplace): no decision needed"})


class NewReturnList(Schema):
    items = fields.List(fields.Nested(NewReturnOut), required=True)


class TestLineIn(Strict):
    sku = fields.String(allow_none=True, validate=validate.Length(max=128))
    ean = fields.String(allow_none=True, validate=validate.Length(max=32))
    title = fields.String(allow_none=True, validate=validate.Length(max=500))
    quantity = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=1000))


class TestReturnIn(Strict):
    order_id = fields.String(validate=validate.Length(min=1, max=120), metadata={
        "description": "the shop order the test return is for (a made-up one when left out)"})
    lines = fields.List(fields.Nested(TestLineIn), validate=validate.Length(min=1, max=50))


class RegisterLineIn(Strict):
    line = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "the order line: the marketplace's line id (a Zalando order line, an OTTO position item, "
                       "a bol order item), its SKU or its EAN"})
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9999))


class RegisterReturnIn(Strict):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "the marketplace's order id"})
    lines = fields.List(fields.Nested(RegisterLineIn), required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in Reason]), metadata={
        "description": "the canonical reason: " + ", ".join(r.value for r in Reason)})
    tracking_number = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={
        "description": "the return parcel's tracking number, if known"})
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


# --- connections -------------------------------------------------------------------------------

class ConnectionOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    marketplace = fields.String(required=True)
    marketplace_name = fields.String(metadata={"description": "the marketplace as merchants know it (MediaMarkt)"})
    shop = fields.String(required=True)
    returns_enabled = fields.Boolean(required=True)
    status = fields.String(required=True)
    status_reason = fields.String(allow_none=True)
    marketplace_settings = fields.Dict(required=True, metadata={
        "description": "secret fields only say `(set)`: secrets are write-only"})
    shop_settings = fields.Dict(required=True)
    last_poll_at = fields.DateTime(allow_none=True)
    last_decision_poll_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class ConnectionList(Schema):
    items = fields.List(fields.Nested(ConnectionOut), required=True)


class ConnectionIn(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    marketplace = fields.String(required=True, validate=validate.Length(min=1, max=64))
    shop = fields.String(required=True, validate=validate.Length(min=1, max=64))
    marketplace_settings = fields.Dict(load_default=dict)
    shop_settings = fields.Dict(load_default=dict)
    returns_enabled = fields.Boolean(load_default=False)


class ConnectionPatch(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    marketplace_settings = fields.Dict(metadata={"description": "fields to change; a blank secret keeps the stored one"})
    shop_settings = fields.Dict()


class SwitchIn(Strict):
    enabled = fields.Boolean(required=True)


class CheckOut(Schema):
    ok = fields.Boolean(required=True)
    error = fields.String(allow_none=True)


class ConnectionTestOut(Schema):
    marketplace = fields.Nested(CheckOut, required=True)
    shop = fields.Nested(CheckOut, required=True)


class QueuedOut(Schema):
    queued = fields.Boolean(required=True)
    detail = fields.String(required=True)


# --- plugins -----------------------------------------------------------------------------------

class SettingFieldOut(Schema):
    name = fields.String(required=True)
    required = fields.Boolean(required=True)
    secret = fields.Boolean(required=True)
    label = fields.String(allow_none=True)


class PluginOut(Schema):
    name = fields.String(required=True)
    title = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    version = fields.String(allow_none=True)
    status = fields.String(required=True)
    quality = fields.String(allow_none=True)
    capabilities = fields.Dict(required=True)
    settings = fields.List(fields.Nested(SettingFieldOut), required=True)


class PluginList(Schema):
    items = fields.List(fields.Nested(PluginOut), required=True)


# --- webhooks ----------------------------------------------------------------------------------

class EndpointOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(allow_none=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    rotating_until = fields.DateTime(allow_none=True, attribute="previous_secret_until", metadata={
        "description": "until then deliveries carry a second v1 signed with the previous secret"})
    created_at = fields.DateTime(required=True)


class EndpointCreatedOut(EndpointOut):
    secret = fields.String(required=True, metadata={"description": "the signing secret, shown only now"})


class EndpointList(Schema):
    items = fields.List(fields.Nested(EndpointOut), required=True)


class EndpointIn(Strict):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(min=1))
    description = fields.String(allow_none=True, validate=validate.Length(max=200))


class EndpointPatch(Strict):
    url = fields.String(validate=validate.Length(min=1, max=2000))
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), validate=validate.Length(min=1))
    description = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()


class SecretOut(Schema):
    secret = fields.String(required=True)
    previous_valid_until = fields.DateTime(required=True)


class AttemptOut(Schema):
    at = fields.DateTime(required=True)
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    replay = fields.Boolean(required=True)


class DeliveryOut(Schema):
    id = fields.Integer(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    return_id = fields.Integer(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["pending", "delivered", "failed"]))
    attempts = fields.List(fields.Nested(AttemptOut), required=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(DeliveryOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class DeliveryQuery(Schema):
    status = fields.String(validate=validate.OneOf(["pending", "delivered", "failed"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(min=1, max=100))
