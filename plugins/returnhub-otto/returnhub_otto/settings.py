"""The connection form for an OTTO Market seller: the app's client credentials, scopes, limits and reason codes.

Every value the public documentation did not confirm (token path, scope names, rate limit, the
reason-code lists) is a setting with the best-supported default; README.md names the sources.
"""
from marshmallow import Schema, fields, validate

from returnhub_otto.codes import ACCEPT_REASONS, CONDITIONS, REJECT_REASONS

PRODUCTION_API = "https://api.otto.market"
TOKEN_PATH = "/v1/token"  # https://api.otto.market/docs/sellers-integration (client credentials, form-encoded)
SCOPES = "orders returns"  # the scopes of the interfaces used; each interface is its own scope
PAGE_LIMIT = 50  # GET /v3/returns: "at max 50 results per page"
BATCH_LIMIT = 200  # POST /v3/returns/acceptance|rejection: "up to 200 items per request"
RATE_LIMIT = 20  # requests per second (UNVERIFIED: third-party notes say 1200/min per partner)


class OttoSettings(Schema):
    """An OTTO connection's settings; the client secret is sealed at rest and never shown back."""

    client_id = fields.String(
        required=True, validate=validate.Length(min=1),
        metadata={"label": "Client ID",
                  "help": "OTTO Partner Connect → Apps → your self-app: the client ID."})
    client_secret = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1),
        metadata={"secret": True, "label": "Client secret",
                  "help": "The client secret shown once when the app was created."})
    scopes = fields.String(
        load_default=SCOPES, validate=validate.Length(min=1, max=500),
        metadata={"label": "Scopes",
                  "help": "Space-separated scopes asked for in the client-credentials grant; the app must have "
                          "the Orders and Returns interfaces (scopes 'orders returns')."})
    api_base_url = fields.Url(
        load_default=PRODUCTION_API, require_tld=False,
        metadata={"label": "API base URL",
                  "help": "https://api.otto.market; https://sandbox.api.otto.market for the sandbox."})
    token_path = fields.String(
        load_default=TOKEN_PATH, validate=validate.Regexp(r"^/\S*$"),
        metadata={"label": "Token path", "help": "Path of the OAuth2 token endpoint under the API base URL."})
    requests_per_second = fields.Integer(
        load_default=RATE_LIMIT, validate=validate.Range(min=1, max=RATE_LIMIT),
        metadata={"label": "Requests per second",
                  "help": "OTTO limits each endpoint; lower this when other tools use the same app."})
    page_size = fields.Integer(
        load_default=PAGE_LIMIT, validate=validate.Range(min=1, max=PAGE_LIMIT),
        metadata={"label": "Returns per page", "help": "GET /v3/returns takes at most 50."})
    pages_per_poll = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=100),
        metadata={"label": "Pages read per import step",
                  "help": "Position items of one order read in the same step become one return."})
    batch_size = fields.Integer(
        load_default=BATCH_LIMIT, validate=validate.Range(min=1, max=BATCH_LIMIT),
        metadata={"label": "Items per decision call", "help": "OTTO takes up to 200 position items per call."})
    days_back = fields.Integer(
        load_default=30, validate=validate.Range(min=1, max=365),
        metadata={"label": "First fetch reaches back (days)"})
    accept_reason = fields.String(
        load_default="RETURN_RECEIVED", validate=validate.OneOf(ACCEPT_REASONS),
        metadata={"label": "Acceptance reason",
                  "help": "Sent with every acceptance unless the decision note names another acceptance reason."})
    reject_reason = fields.String(
        load_default="ITEM_DAMAGED", validate=validate.OneOf(REJECT_REASONS),
        metadata={"label": "Default rejection reason",
                  "help": "OTTO requires a reason code for every rejection; used when the decision note names "
                          "none (e.g. a note starting 'WRONG_ITEM' sends WRONG_ITEM)."})
    default_condition = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CONDITIONS),
        metadata={"label": "Default condition",
                  "help": "A original packaging, B mint, C slightly used, D heavily used, E mistake; sent when "
                          "the decision note names none ('condition C'). Empty: none is sent."})
