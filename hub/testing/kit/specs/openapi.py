"""OpenAPI 3.x validation of recorded traffic with openapi-core (httpx has no adapter there: we give
it objects that follow its Request/Response protocols)."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import Headers, ImmutableMultiDict

from hub.testing.kit.specs.traffic import Exchange
from hub.testing.kit.specs.violations import Violation, schema_error_field, schema_error_rule

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class _Request:
    """An :class:`Exchange`'s request as openapi-core's ``Request`` protocol."""

    def __init__(self, exchange: Exchange):
        from openapi_core.datatypes import RequestParameters
        self.method = exchange.method.lower()
        self.host_url = f"{exchange.url.scheme}://{exchange.url.netloc.decode()}"
        self.path = exchange.url.path
        self.body = exchange.request_body
        self.content_type = (exchange.request_headers.get("content-type") or "").lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(exchange.url.query.decode(), keep_blank_values=True)),
            header=Headers(list(exchange.request_headers.items())), cookie=ImmutableMultiDict())


class _Response:
    """An :class:`Exchange`'s response as openapi-core's ``Response`` protocol."""

    def __init__(self, exchange: Exchange):
        self.status_code = exchange.status
        self.data = exchange.response_body
        self.content_type = (exchange.response_headers.get("content-type") or "").lower()
        self.headers = Headers(list(exchange.response_headers.items()))


def _bearer_provider():
    """OAuth2/OpenID schemes (openapi-core leaves them unchecked): the request must carry a bearer token."""
    from openapi_core.security.exceptions import SecurityProviderError
    from openapi_core.security.providers import BaseProvider

    class BearerProvider(BaseProvider):
        def __call__(self, parameters):
            value = parameters.header.get("Authorization", "")
            if not value.lower().startswith("bearer ") or not value[7:].strip():
                raise SecurityProviderError("an OAuth2 operation needs 'Authorization: Bearer <token>'")
            return value[7:]
    return BearerProvider


def _relative_servers(doc: dict) -> dict:
    """Keep only the path of each server URL, so traffic to an emulator on 127.0.0.1 matches."""
    def relative(servers):
        return [{"url": urlsplit(s.get("url", "/")).path or "/"} for s in servers] if servers else servers
    doc = dict(doc)
    if doc.get("servers"):
        doc["servers"] = relative(doc["servers"])
    return doc


class OpenAPIDescription:
    """One OpenAPI 3 document, compiled once; finds the operation of a request and validates both sides."""

    def __init__(self, doc: dict, name: str):
        from openapi_core import OpenAPI
        from openapi_core.configurations import Config
        from openapi_core.security.factories import SecurityProviderFactory

        self.name = name
        doc = _relative_servers(doc)
        json_types = {t for item in doc.get("paths", {}).values() for op in item.values() if isinstance(op, dict)
                      for part in [op.get("requestBody", {}), *op.get("responses", {}).values()]
                      if isinstance(part, dict) for t in part.get("content", {}) if t.endswith("+json")}
        factory = SecurityProviderFactory()
        factory.PROVIDERS = {**factory.PROVIDERS, "oauth2": _bearer_provider(), "openIdConnect": _bearer_provider()}
        config = Config(spec_validator_cls=None, security_provider_factory=factory,
                        extra_media_type_deserializers={t: _loads for t in json_types})
        self.app = OpenAPI.from_dict(doc, config=config)
        self.operations = {}
        self.declares_errors: dict[tuple[str, str], bool] = {}
        for path, item in doc.get("paths", {}).items():
            for method, op in item.items():
                if method in METHODS and isinstance(op, dict):
                    self.operations[(method.upper(), path)] = op.get("operationId")
                    self.declares_errors[(method.upper(), path)] = any(
                        str(code)[:1] in "45d" for code in (op.get("responses") or {}))

    def find(self, exchange: Exchange) -> str | None:
        """``operationId (METHOD /template)`` of the request, or None when this document has no such operation."""
        from openapi_core.templating.paths.exceptions import PathError
        try:
            found = self.app.request_validator._find_path(_Request(exchange))
        except PathError:
            return None
        template = found[3].pattern
        op_id = self.operations.get((exchange.method.upper(), template))
        where = f"{exchange.method.upper()} {template}"
        return f"{op_id} ({where})" if op_id else where

    def _silent_on_errors(self, exchange: Exchange, operation: str) -> bool:
        """An error answer of an operation whose description declares no error answer at all (no 4xx, 5xx
        or default): the description says nothing about it, so it is not judged (e.g. 401 for a bad token)."""
        if exchange.status < 400:
            return False
        template = operation.rsplit(" ", 1)[-1].rstrip(")")
        return not self.declares_errors.get((exchange.method.upper(), template), True)

    def check(self, exchange: Exchange, operation: str) -> list[Violation]:
        request = _Request(exchange)
        found = [_violation("request", operation, e) for e in self.app.iter_request_errors(request)]
        if not exchange.injected and not self._silent_on_errors(exchange, operation):
            found += [_violation("response", f"{operation} → {exchange.status}", e)
                      for e in self.app.iter_response_errors(request, _Response(exchange))]
        return found


def _loads(value):
    return json.loads(value) if value else None


def _violation(side: str, operation: str, error: Exception) -> Violation:
    """Turn an openapi-core error (and the jsonschema errors behind it) into one :class:`Violation`."""
    where = _where(error)
    schema_errors = _schema_errors(error)
    if schema_errors:
        first = schema_errors[0]
        rule = schema_error_rule(first)
        if len(schema_errors) > 1:
            rule += f" (and {len(schema_errors) - 1} more)"
        return Violation(side, operation, schema_error_field(first, where), rule)
    cause = error.__cause__
    detail = f"{type(error).__name__}: {error}"
    if cause is not None and getattr(cause, "value", None) is not None and getattr(cause, "type", None):
        detail = f"type: {cause.value!r} is not of type {cause.type!r}"
    return Violation(side, operation, where, detail)


def _where(error: Exception) -> str:
    """The message part an error is about: ``body``, ``query.page``, ``header.Accept``..."""
    name = type(error).__name__
    if hasattr(error, "name") and hasattr(error, "location"):
        return f"{error.location}.{error.name}"
    if "Header" in name and hasattr(error, "name"):
        return f"header.{error.name}"
    if "Security" in name:
        return "security"
    if "Body" in name or "Data" in name:
        return "body"
    return ""


def _schema_errors(error: BaseException) -> list:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, "schema_errors", None):
            return list(error.schema_errors)
        error = error.__cause__ or error.__context__
    return []
