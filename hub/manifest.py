"""The plugin manifest: what a plugin is and can do, as data, validated before its code is imported."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hub import HUB_API
from hub.host_patterns import validate_host_pattern
from hub.model import Decision

SLUG = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="slug must be lower case letters, digits and _")
DECISIONS = [d.value for d in Decision]
AUTH_SCHEMES = ("none", "api_key", "bearer_token", "basic", "oauth2_client_credentials", "oauth2_refresh_token",
                "hmac", "lwa")
DECISION_SOURCES = ("poll", "webhook", "api")
ACTORS = ("merchant", "returnhub")  # who takes a step of a marketplace's action_steps


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


class _Declared:
    """Shared by the capability dataclasses: their JSON form (the CLI, the plugins API)."""

    def as_dict(self) -> dict:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


@dataclass(frozen=True)
class MarketplaceCapabilities(_Declared):
    """What a marketplace plugin declares it does; read through ``Marketplace.capabilities``."""

    push_decision: bool = False
    decisions: tuple[str, ...] = ()
    auto_accept_fulfilment: tuple[str, ...] = ()
    partial_quantities: bool = False
    per_line_push: bool = False
    requires_action: str | None = None
    instances: tuple[dict, ...] = ()
    fetch_order: bool = False  # Marketplace.fetch_order: a merchant may register a return by hand
    action_steps: tuple[dict, ...] = ()  # [{"who": "merchant" | "returnhub", "text": ...}], in order

    def auto_accepts(self, fulfilment_method: str | None) -> bool:
        """Whether a return fulfilled by the marketplace with this method is created as accepted."""
        return fulfilment_method in self.auto_accept_fulfilment or "*" in self.auto_accept_fulfilment


@dataclass(frozen=True)
class ShopCapabilities(_Declared):
    """What a shop plugin declares it does; read through ``Shop.capabilities``.

    ``decision_source``: ``poll`` (the core calls ``fetch_decisions``), ``webhook`` (the shop's
    webhooks carry the decisions, see ``WebhookResult``), ``api`` (the shop reports them through
    Returnhub's REST API, as the built-in ``api`` shop does).
    """

    decisions: tuple[str, ...] = ()
    decision_source: tuple[str, ...] = ()
    order_lookup: tuple[str, ...] = ()

    @property
    def polls_decisions(self) -> bool:
        return "poll" in self.decision_source

    @property
    def webhook_decisions(self) -> bool:
        return "webhook" in self.decision_source


@dataclass(frozen=True)
class ExtensionCapabilities(_Declared):
    """An extension (notifications, metrics) adds no platform: it declares no capabilities."""


class _CapabilitiesSchema(Schema):
    """Capabilities of one kind; unknown names are errors that name the capability."""

    made: type = ExtensionCapabilities  # the dataclass a load gives
    kind_name = "extension"

    class Meta:
        unknown = RAISE

    @post_load
    def make(self, data, **kwargs):
        return self.made(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})

    def handle_error(self, error: ValidationError, data, **kwargs):
        known = ", ".join(sorted(self.fields)) or "none"
        messages = error.messages if isinstance(error.messages, dict) else {}
        unknown = [key for key, value in messages.items() if value == ["Unknown field."]]
        if unknown:
            raise ValidationError({key: [f"unknown capability '{key}' (a {self.kind_name} declares: {known})"]
                                   for key in unknown} | {k: v for k, v in messages.items() if k not in unknown})
        raise error


class ActionStepSchema(Schema):
    """One step of a marketplace's "requires action" list: who takes it (the merchant or Returnhub) and what."""

    class Meta:
        unknown = RAISE

    who = fields.String(required=True, validate=validate.OneOf(ACTORS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class MarketplaceCapabilitiesSchema(_CapabilitiesSchema):
    """The capabilities of a marketplace manifest."""

    made = MarketplaceCapabilities
    kind_name = "marketplace"

    push_decision = fields.Boolean(required=True)
    decisions = fields.List(fields.String(validate=validate.OneOf(DECISIONS)), required=True)
    auto_accept_fulfilment = fields.List(fields.String(), load_default=list)
    partial_quantities = fields.Boolean(load_default=False)
    per_line_push = fields.Boolean(load_default=False)
    requires_action = fields.String(load_default=None, allow_none=True)
    instances = fields.List(fields.Dict(), load_default=list)
    fetch_order = fields.Boolean(load_default=False)
    action_steps = fields.List(fields.Nested(ActionStepSchema), load_default=list)


class ShopCapabilitiesSchema(_CapabilitiesSchema):
    """The capabilities of a shop manifest."""

    made = ShopCapabilities
    kind_name = "shop"

    decisions = fields.List(fields.String(validate=validate.OneOf(DECISIONS)), required=True)
    decision_source = fields.List(
        fields.String(validate=validate.OneOf(DECISION_SOURCES)), required=True,
        validate=validate.Length(min=1))
    order_lookup = fields.List(fields.String(), load_default=list)


class ExtensionCapabilitiesSchema(_CapabilitiesSchema):
    """An extension declares no capabilities."""


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
    auth = fields.Raw(required=True)  # one scheme of AUTH_SCHEMES, or a list of them
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
            raise ValidationError("hub_api must be a version specifier such as '>=1,<2'", "hub_api") from None
        if Version(str(HUB_API)) not in spec:
            raise ValidationError(f"plugin needs hub_api {spec}, this core provides {HUB_API}", "hub_api")
        schemes = data["auth"] if isinstance(data["auth"], list) else [data["auth"]]
        bad = [scheme for scheme in schemes if scheme not in AUTH_SCHEMES]
        if not schemes or bad:
            raise ValidationError(f"unsupported auth scheme(s) {bad or schemes}; use one or a list of: "
                                  f"{', '.join(AUTH_SCHEMES)}", "auth")
        errors = _capabilities_schema(data["kind"]).validate(data["capabilities"])
        if errors:
            raise ValidationError({"capabilities": errors})

    @post_load
    def make(self, data, **kwargs):
        data["capabilities"] = _capabilities_schema(data["kind"]).load(data["capabilities"])
        data["auth"] = tuple(data["auth"] if isinstance(data["auth"], list) else [data["auth"]])
        return Manifest(**data)


@dataclass
class Manifest:
    slug: str
    title: str
    kind: str
    version: str
    hub_api: str
    auth: tuple[str, ...]  # the schemes of AUTH_SCHEMES the platform's API takes
    capabilities: MarketplaceCapabilities | ShopCapabilities | ExtensionCapabilities
    allowed_hosts: list[str] = field(default_factory=list)
    rate_limit: dict | None = None
    quality: str = "bronze"
    documentation: str | None = None
    api_descriptions: list[dict] = field(default_factory=list)


def load_manifest(package: str) -> Manifest:
    """Read and validate ``<package>/manifest.json`` without importing more than the package itself."""
    path = resources.files(package) / "manifest.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{package}/manifest.json is missing") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{package}/manifest.json is not valid JSON: {exc}") from exc
    try:
        return ManifestSchema().load(raw)
    except ValidationError as exc:
        raise ValueError(f"{package}/manifest.json is invalid: {exc.messages}") from exc
