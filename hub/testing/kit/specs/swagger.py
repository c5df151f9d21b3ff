"""Swagger 2.0 validation of recorded traffic with bravado-core (openapi-core reads only OpenAPI 3;
bravado-core is the maintained validator of 2.0 requests and responses, on top of jsonschema)."""
from __future__ import annotations

import json
import re
import warnings
from contextlib import contextmanager
from urllib.parse import parse_qsl

from hub.testing.kit.specs.traffic import Exchange
from hub.testing.kit.specs.violations import Violation, schema_error_field, schema_error_rule


@contextmanager
def _quiet():
    """bravado-core still uses jsonschema's deprecated RefResolver: its warnings are not the plugin's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _incoming(exchange: Exchange, path_values: dict):
    from bravado_core.request import IncomingRequest

    class Incoming(IncomingRequest):
        def json(self):
            return json.loads(self._body) if self._body else None

    query: dict = {}
    for name, value in parse_qsl(exchange.url.query.decode(), keep_blank_values=True):
        query[name] = [*query[name], value] if isinstance(query.get(name), list) else \
            ([query[name], value] if name in query else value)
    incoming = Incoming()
    incoming.path, incoming.query, incoming._body = path_values, query, exchange.request_body
    incoming.headers, incoming.form, incoming.files = dict(exchange.request_headers), {}, {}
    return incoming


def _outgoing(exchange: Exchange):
    from bravado_core.response import OutgoingResponse

    class Outgoing(OutgoingResponse):
        def json(self):
            return json.loads(self.text)

    outgoing = Outgoing()
    outgoing.content_type = (exchange.response_headers.get("content-type") or "").split(";")[0].strip()
    outgoing.text = exchange.response_body.decode("utf-8", "replace")
    outgoing.headers = exchange.response_headers  # case-insensitive, as HTTP header names are
    return outgoing


def _offline_spec_class():
    """bravado-core's Spec, kept offline: its resolver holds only the document (jsonschema pre-loads every
    meta-schema it knows, and bravado-core walks them all, fetching what they reference from the web)."""
    from functools import cached_property

    from bravado_core.spec import Spec
    from jsonschema.validators import RefResolver

    def refuse(uri):
        raise ValueError(f"remote $ref {uri} in a Swagger document: the kit validates offline; inline it")

    class OfflineSpec(Spec):
        def get_ref_handlers(self):
            return {"http": refuse, "https": refuse, "file": refuse}

        @cached_property
        def resolver(self):
            base = self.origin_url or ""
            resolver = RefResolver(base_uri=base, referrer=self.spec_dict, handlers=self.get_ref_handlers())
            for uri in [u for u in resolver.store if u not in ("", base)]:
                del resolver.store[uri]
            return resolver

    return OfflineSpec


class SwaggerDescription:
    """One Swagger 2.0 document, compiled once by bravado-core; matches requests by path template."""

    def __init__(self, doc: dict, name: str):
        self.name = name
        # Swagger 2.0 defaults bravado-core does not apply: JSON in and out, no shared definitions.
        doc = {"produces": ["application/json"], "consumes": ["application/json"], "definitions": {}, **doc}
        # ``info`` is documentation; Redocly-style "$ref" to a Markdown file there (Adobe's Magento schemas) is
        # not a schema reference, and resolving it offline would fail.
        doc["info"] = {k: v for k, v in (doc.get("info") or {}).items() if not (isinstance(v, dict) and "$ref" in v)}
        with _quiet():
            self.spec = _offline_spec_class().from_dict(doc, config={
                "validate_requests": True, "validate_responses": True, "use_models": False,
                "validate_swagger_spec": False})
        base = (doc.get("basePath") or "").rstrip("/")
        self.routes = []
        for resource in self.spec.resources.values():
            for op in resource.operations.values():
                pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(base + op.path_name))
                pattern = re.sub(r"\(\?P<([^>]+)>", lambda m: f"(?P<{_group(m.group(1))}>", pattern)
                self.routes.append((op.http_method.upper(), re.compile(f"^{pattern}$"), op))

    def _route(self, exchange: Exchange):
        for method, pattern, op in self.routes:
            match = pattern.match(exchange.url.path)
            if method == exchange.method.upper() and match:
                names = {_group(p["name"]): p["name"] for p in op.op_spec.get("parameters", []) if "name" in p}
                return op, {names.get(k, k): v for k, v in match.groupdict().items()}
        return None, None

    def find(self, exchange: Exchange) -> str | None:
        op, _ = self._route(exchange)
        return None if op is None else f"{op.operation_id} ({op.http_method.upper()} {op.path_name})"

    def check(self, exchange: Exchange, operation: str) -> list[Violation]:
        with _quiet():
            return self._check(exchange, operation)

    def _check(self, exchange: Exchange, operation: str) -> list[Violation]:
        from bravado_core.exception import MatchingResponseNotFound, SwaggerMappingError
        from bravado_core.request import unmarshal_request
        from bravado_core.response import get_response_spec, validate_response_body
        from jsonschema import ValidationError

        op, path_values = self._route(exchange)
        found = []
        try:
            unmarshal_request(_incoming(exchange, path_values), op)
        except ValidationError as exc:
            found.append(Violation("request", operation, schema_error_field(exc, _param_where(exc)),
                                   schema_error_rule(exc)))
        except (SwaggerMappingError, ValueError, TypeError) as exc:
            found.append(Violation("request", operation, "", f"{type(exc).__name__}: {exc}"))
        if exchange.injected:
            return found
        where = f"{operation} → {exchange.status}"
        try:
            spec = get_response_spec(exchange.status, op)
        except MatchingResponseNotFound:
            return found + [Violation("response", where, "status", f"status {exchange.status} is not declared")]
        outgoing = _outgoing(exchange)
        try:
            validate_response_body(op, spec, outgoing)
        except ValidationError as exc:
            found.append(Violation("response", where, schema_error_field(exc, "body"), schema_error_rule(exc)))
        except (SwaggerMappingError, ValueError) as exc:
            found.append(Violation("response", where, "body", f"{type(exc).__name__}: {exc}"))
        return found + self._header_violations(op, spec, outgoing, where)

    @staticmethod
    def _header_violations(op, spec: dict, outgoing, where: str) -> list[Violation]:
        """Declared headers that are present must fit their type (Swagger 2.0 cannot make a header required)."""
        from bravado_core.validate import validate_schema_object
        from jsonschema import ValidationError
        deref = op.swagger_spec.deref
        found = []
        for name, header_spec in (deref(spec.get("headers")) or {}).items():
            value = outgoing.headers.get(name)
            if value is None:
                continue
            try:
                validate_schema_object(op.swagger_spec, deref(header_spec), value)
            except ValidationError as exc:
                found.append(Violation("response", where, f"header.{name}", schema_error_rule(exc)))
        return found


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _param_where(exc) -> str:
    schema = getattr(exc, "schema", None) or {}
    if isinstance(schema, dict) and schema.get("in") and schema.get("name"):
        return f"{schema['in']}.{schema['name']}"
    return "body"
