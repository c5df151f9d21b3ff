"""Marshmallow schemas that validate a plugin's output into the canonical dataclasses."""
from __future__ import annotations

from datetime import UTC

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from hub.model.canonical import Address, Customer, Line, LineDecision, Order, OrderLine, Return
from hub.model.enums import Decision, Fulfilment

_currency = validate.Regexp(r"^[A-Z]{3}$", error="currency must be an ISO 4217 code such as EUR")


class AddressSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    street = fields.String(allow_none=True)
    house_number = fields.String(allow_none=True)
    house_number_extension = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    name = fields.String(allow_none=True)
    company = fields.String(allow_none=True)

    @post_load
    def make(self, data, **kwargs):
        return Address(**data)


class CustomerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(allow_none=True)
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, allow_none=True)

    @post_load
    def make(self, data, **kwargs):
        return Customer(**data)


class LineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    external_line_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sku = fields.String(allow_none=True)
    ean = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    reason_code = fields.String(allow_none=True)
    reason_text = fields.String(allow_none=True)
    customer_comment = fields.String(allow_none=True)
    unit_price = fields.Decimal(allow_none=True, places=None, as_string=True, allow_nan=False)
    currency = fields.String(allow_none=True, validate=_currency)
    raw = fields.Dict(load_default=dict)

    @validates_schema
    def price_has_currency(self, data, **kwargs):
        if data.get("unit_price") is not None and not data.get("currency"):
            raise ValidationError("a unit price needs its currency", "currency")

    @post_load
    def make(self, data, **kwargs):
        return Line(**data)


class ReturnSchema(Schema):
    """The canonical return as a marketplace plugin produces it."""

    class Meta:
        unknown = EXCLUDE

    external_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    marketplace_order_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    fulfilment = fields.Enum(Fulfilment, by_value=True, load_default=Fulfilment.MERCHANT)
    fulfilment_method = fields.String(allow_none=True)
    customer = fields.Nested(CustomerSchema, allow_none=True)
    invoice_address = fields.Nested(AddressSchema, allow_none=True)
    lines = fields.List(fields.Nested(LineSchema), required=True, validate=validate.Length(min=1))
    requested_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    flags = fields.List(fields.String(), load_default=list)
    raw = fields.Dict(load_default=dict)
    merchant_action = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def unique_lines(self, data, **kwargs):
        ids = [line.external_line_id for line in data.get("lines", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("line ids must be unique within a return", "lines")

    @post_load
    def make(self, data, **kwargs):
        data["requested_at"] = data["requested_at"].astimezone(UTC)
        return Return(**data)


class LineDecisionSchema(Schema):
    """A decision on one line, as the API and shop plugins report it."""

    class Meta:
        unknown = EXCLUDE

    external_line_id = fields.String(required=True)
    decision = fields.Enum(Decision, by_value=True, allow_none=True)
    quantity = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    note = fields.String(allow_none=True)
    raw = fields.String(allow_none=True)

    @post_load
    def make(self, data, **kwargs):
        return LineDecision(**data)


_return_schema = ReturnSchema()


def load_return(data: dict) -> Return:
    """Validate one plugin-produced dict; raises marshmallow.ValidationError with field messages."""
    if not isinstance(data, dict):
        raise ValidationError(f"expected an object, got {type(data).__name__}")
    return _return_schema.load(data)


class OrderLineSchema(Schema):
    """One order line as ``Marketplace.fetch_order`` gives it."""

    class Meta:
        unknown = EXCLUDE

    external_line_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    sku = fields.String(allow_none=True)
    ean = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    unit_price = fields.Decimal(allow_none=True, places=None, as_string=True, allow_nan=False)
    currency = fields.String(allow_none=True, validate=_currency)
    raw = fields.Dict(load_default=dict)

    @post_load
    def make(self, data, **kwargs):
        return OrderLine(**data)


class OrderSchema(Schema):
    """A marketplace order as ``Marketplace.fetch_order`` gives it (for registering a return by hand)."""

    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    lines = fields.List(fields.Nested(OrderLineSchema), required=True)
    customer = fields.Nested(CustomerSchema, allow_none=True)
    fulfilment = fields.Enum(Fulfilment, by_value=True, load_default=Fulfilment.MERCHANT)
    fulfilment_method = fields.String(allow_none=True)
    raw = fields.Dict(load_default=dict)

    @validates_schema
    def unique_lines(self, data, **kwargs):
        ids = [line.external_line_id for line in data.get("lines", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("line ids must be unique within an order", "lines")

    @post_load
    def make(self, data, **kwargs):
        return Order(**data)


_order_schema = OrderSchema()


def load_order(data: dict) -> Order:
    """Validate an order dict a plugin built from the marketplace's answer; ValidationError with field messages."""
    if not isinstance(data, dict):
        raise ValidationError(f"expected an object, got {type(data).__name__}")
    return _order_schema.load(data)
