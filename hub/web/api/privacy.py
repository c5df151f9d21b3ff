"""/api/v1/customers/erase: erase one customer's personal data from the merchant's returns (GDPR)."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from hub.privacy import erase_customer
from hub.web.api.schemas import Strict
from hub.web.api.security import actor, requires
from hub.web.context import hub

blp = Blueprint("api_privacy", __name__, url_prefix="/api/v1", description="Customers' personal data")


class EraseIn(Strict):
    email = fields.Email(required=True, validate=validate.Length(max=320),
                         metadata={"description": "The customer's e-mail address (any case)."})


class ErasedOut(Schema):
    erased_returns = fields.Integer(required=True, metadata={"description": "Returns whose personal data was "
                                                                            "removed."})


@blp.route("/customers/erase", methods=["POST"])
@blp.arguments(EraseIn)
@blp.response(200, ErasedOut)
@requires("returns:write")
def erase(body: dict):
    """Remove the name, e-mail, phone, addresses, comments and raw payloads of every return of this
    customer; the returns, decisions and figures stay, and each timeline records the erasure (without
    the data). Scope: `returns:write`."""
    try:
        count = erase_customer(hub(), g.merchant_id, body["email"], actor())
    except ValueError as exc:
        abort(422, errors={"email": [str(exc)]})
    return {"erased_returns": count}
