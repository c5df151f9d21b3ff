"""The plugin manifest: what a plugin is and can do, as data, validated before its code is imported."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hub import HUB_API
from hub.host_patterns import validate_host_pattern
from hub.model import Decision

SLUG = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="slug must be lower case letters, digits and _")
DECISIONS = [d.value for d in Decision]


class RateLimitSchema(Schema):
    class Meta:
        unknown = RAISE

    requests = fields.Integer(required=True, validate=validate.Range(min=1))
    per_seconds = fields.Float(required=True, validate=validate.Range(min=0.001))


class ApiDescriptionSchema(Schema):
    """A machine-readable API description of the platform, which the kit holds the traffic to."""

    class Meta:
        unknown = RAISE

    path = fields.String(required=True, validate=validate.Length(min=1))
    format = fields.String(required=True, validate=validate.OneOf(["openapi", "swagger", "graphql"]))
    source = fields.String(load_default=None, allow_none=True)


class MarketplaceCapabilitiesSchema(Schema):
    class Meta:
        unknown = RAISE

    push_decision = fields.Boolean(required=True)
    decisions = fields.List(fields.String(validate=validate.OneOf(DECISIONS)), required=True)
    auto_accept_fulfilment = fields.List(fields.String(), load_default=list)
    partial_quantities = fields.Boolean(load_default=False)
    per_line_push = fields.Boolean(load_default=False)
    requires_action = fields.String(load_default=None, allow_none=True)
    instances = fields.List(fields.Dict(), load_default=list)


class ShopCapabilitiesSchema(Schema):
    class Meta:
        unknown = RAISE

    decisions = fields.List(fields.String(validate=validate.OneOf(DECISIONS)), required=True)
    decision_source = fields.List(
        fields.String(validate=validate.OneOf(["poll", "webhook"])), required=True,
        validate=validate.Length(min=1))
    order_lookup = fields.List(fields.String(), load_default=list)


class ExtensionCapabilitiesSchema(Schema):
    """An extension (notifications, metrics) adds no platform: it declares no capabilities."""

    class Meta:
        unknown = RAISE


def _capabilities_schema(kind: str) -> Schema:
    return {"marketplace": MarketplaceCapabilitiesSchema, "shop": ShopCapabilitiesSchema,
            "extension": ExtensionCapabilitiesSchema}[kind]()


class ManifestSchema(Schema):
    """manifest.json of a plugin package; unknown keys are errors so typos surface."""

    class Meta:
        unknown = RAISE

    slug = fields.String(required=True, validate=SLUG)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["marketplace", "shop", "extension"]))
    version = fields.String(required=True)
    hub_api = fields.String(required=True)
    auth = fields.String(required=True)
    allowed_hosts = fields.List(fields.String(validate=validate_host_pattern), load_default=list)
    rate_limit = fields.Nested(RateLimitSchema, load_default=None, allow_none=True)
    quality = fields.String(load_default="bronze", validate=validate.OneOf(["bronze", "silver", "gold"]))
    documentation = fields.String(load_default=None, allow_none=True)
    api_descriptions = fields.List(fields.Nested(ApiDescriptionSchema), load_default=list)
    capabilities = fields.Dict(required=True)

    @validates_schema
    def check(self, data, **kwargs):
        try:
            spec = SpecifierSet(data["hub_api"])
        except InvalidSpecifier:
            raise ValidationError("hub_api must be a version specifier such as '>=1,<2'", "hub_api")
        if Version(str(HUB_API)) not in spec:
            raise ValidationError(f"plugin needs hub_api {spec}, this core provides {HUB_API}", "hub_api")
        errors = _capabilities_schema(data["kind"]).validate(data["capabilities"])
        if errors:
            raise ValidationError({"capabilities": errors})

    @post_load
    def make(self, data, **kwargs):
        data["capabilities"] = _capabilities_schema(data["kind"]).load(data["capabilities"])
        return Manifest(**data)


@dataclass
class Manifest:
    slug: str
    title: str
    kind: str
    version: str
    hub_api: str
    auth: str
    capabilities: dict[str, Any]
    allowed_hosts: list[str] = field(default_factory=list)
    rate_limit: dict | None = None
    quality: str = "bronze"
    documentation: str | None = None
    api_descriptions: list[dict] = field(default_factory=list)

    def cap(self, name: str, default=None):
        return self.capabilities.get(name, default)


def load_manifest(package: str) -> Manifest:
    """Read and validate ``<package>/manifest.json`` without importing more than the package itself."""
    path = resources.files(package) / "manifest.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{package}/manifest.json is missing")
    except json.JSONDecodeError as exc:
        raise ValueError(f"{package}/manifest.json is not valid JSON: {exc}")
    try:
        return ManifestSchema().load(raw)
    except ValidationError as exc:
        raise ValueError(f"{package}/manifest.json is invalid: {exc.messages}")
