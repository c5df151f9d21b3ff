"""The connection form for a Kaufland seller account: API keys, storefronts, limits, push notifications."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.sdk import settings_fields

PRODUCTION_API = "https://sellerapi.kaufland.com/v2"
STOREFRONTS = ("de", "cz", "sk", "pl", "at", "fr", "it")
RATE_LIMIT = 111  # requests per seller per second, across all endpoints (sellerapi.kaufland.com/?page=rate-limits)


class KauflandSettings(Schema):
    """A Kaufland connection's settings; the two keys are secrets (sealed at rest, never shown back)."""

    client_key = settings_fields.secret(
        "Client key",
        "Seller portal → Settings → API settings: the 32-character client key.")
    secret_key = settings_fields.secret(
        "Secret key",
        "The 64-character secret key shown with the client key; it signs every request.")
    storefronts = fields.List(
        fields.String(validate=validate.OneOf(STOREFRONTS)), load_default=lambda: ["de"],
        validate=validate.Length(min=1),
        metadata={"label": "Storefronts",
                  "help": "The Kaufland storefronts whose returns are fetched (de, cz, sk, pl, at, fr, it)."})
    api_base_url = settings_fields.base_url(
        "API base URL",
        "https://sellerapi.kaufland.com/v2; the playground or an emulator for tests.",
        default=PRODUCTION_API)
    user_agent = fields.String(
        load_default="Returnhub", validate=validate.Length(min=1, max=100),
        metadata={"label": "User-Agent", "help": "Kaufland asks every request to name the calling solution."})
    requests_per_second = settings_fields.number(
        "Requests per second",
        "Kaufland allows 111 requests per seller per second across all endpoints; lower it "
        "when other tools use the same keys.",
        default=RATE_LIMIT, low=1, high=RATE_LIMIT)
    import_fbk = fields.Boolean(
        load_default=False,
        metadata={"label": "Import returns fulfilled by Kaufland",
                  "help": "FBK returns are handled by Kaufland: imported as accepted, never sent back."})
    days_back = settings_fields.number("First fetch reaches back (days)", default=30, low=1, high=365)
    reject_message = fields.String(
        load_default="The returned item does not meet the return conditions.",
        validate=validate.Length(min=1, max=1000),
        metadata={"label": "Reject message", "help": "Sent to the customer when the decision has no note."})
    clarify_message = fields.String(
        load_default="We will contact you about an exchange for the returned item.",
        validate=validate.Length(min=1, max=1000),
        metadata={"label": "Exchange (clarify) message",
                  "help": "Kaufland has no exchange: a clarification ticket with this text (or the note) is opened."})
    public_base_url = fields.Url(
        load_default=None, allow_none=True, require_tld=False,
        metadata={"label": "Returnhub's public URL",
                  "help": "Where Kaufland can reach this Returnhub (https://returns.example.com). When set, "
                          "Returnhub subscribes to Kaufland's return notifications and new returns arrive "
                          "within seconds; polling stays the fallback. Empty: polling only."})
    notification_email = fields.Email(
        load_default=None, allow_none=True,
        metadata={"label": "Notification fallback e-mail",
                  "help": "Kaufland writes here when it cannot reach Returnhub and disables the subscription."})

    @validates_schema
    def email_with_notifications(self, data, **kwargs):
        if data.get("public_base_url") and not data.get("notification_email"):
            raise ValidationError("Kaufland needs a fallback e-mail for push notifications", "notification_email")
