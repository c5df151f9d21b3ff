"""The connection form for a bol.com account: API credentials, hosts and the few UNVERIFIED choices."""
from marshmallow import Schema, fields, validate

from hub.sdk import settings_fields

PRODUCTION_API = "https://api.bol.com"
PRODUCTION_LOGIN = "https://login.bol.com"


class BolSettings(Schema):
    client_id = settings_fields.credential(
        "Client ID",
        "Seller Dashboard → Settings → Services → API settings → Client ID.")
    client_secret = settings_fields.secret(
        "Client secret",
        "The secret shown once when the API credentials were created.")
    api_base_url = settings_fields.base_url(
        "API base URL",
        "https://api.bol.com; change only to point at an emulator.",
        default=PRODUCTION_API)
    login_base_url = settings_fields.base_url(
        "Login base URL",
        "The OAuth host the token is requested from (POST <url>/token).",
        default=PRODUCTION_LOGIN)
    demo = fields.Boolean(
        load_default=False,
        metadata={"label": "Use bol's demo environment",
                  "help": "Sends calls to /retailer-demo and /shared-demo: fixed example answers, "
                          "nothing is really handled."})
    import_fbb = fields.Boolean(
        load_default=True,
        metadata={"label": "Import FBB returns",
                  "help": "Returns of orders fulfilled by bol (FBB/LVB) are imported as accepted "
                          "and never sent back; bol handles them."})
    approximate_kept = fields.Boolean(
        load_default=False,
        metadata={"label": "Send 'kept' as RETURN_RECEIVED",
                  "help": "bol has no 'customer keeps the item and is refunded'. When on, 'kept' is "
                          "sent as RETURN_RECEIVED (bol refunds without checking a parcel); when "
                          "off, a 'kept' decision is refused with a clear message."})
    process_status_timeout = fields.Float(
        load_default=60.0, validate=validate.Range(min=0),
        metadata={"label": "Process status wait (s)",
                  "help": "How long a push waits for bol's asynchronous result before it is "
                          "retried later (the retry looks the result up, it never re-sends)."})
    process_status_interval = fields.Float(
        load_default=1.0, validate=validate.Range(min=0),
        metadata={"label": "Process status poll interval (s)",
                  "help": "Pause between two looks at a pending process status."})
