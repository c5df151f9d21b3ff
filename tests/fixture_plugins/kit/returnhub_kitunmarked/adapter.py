"""Flaw: the API key is a plain field (not load_only, not marked secret), so it would be stored and shown."""
from marshmallow import Schema, fields
from returnhub_kitmarket.adapter import KitMarketplace


class Settings(Schema):
    base_url = fields.Url(required=True, require_tld=False)
    api_key = fields.String(required=True)


class Adapter(KitMarketplace):
    slug = "kitunmarked"
    settings_schema = Settings
