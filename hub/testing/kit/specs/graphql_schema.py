"""GraphQL validation of recorded traffic with graphql-core: each document the adapter sends is
validated against the schema (with its variables), and each answer is re-read through the schema, so a
missing, mistyped or null-for-non-null field in ``data`` is found with its path."""
from __future__ import annotations

import json

from hub.testing.kit.specs.traffic import Exchange
from hub.testing.kit.specs.violations import Violation, field_path

MISSING = object()


class GraphQLDescription:
    """A GraphQL schema (an introspection result or SDL), built once; operations are named by the document."""

    def __init__(self, schema):
        self.schema = schema

    @classmethod
    def from_introspection(cls, data: dict) -> GraphQLDescription:
        from graphql import build_client_schema
        return cls(build_client_schema(data.get("data", data)))

    @classmethod
    def from_sdl(cls, text: str) -> GraphQLDescription:
        from graphql import build_schema
        return cls(build_schema(text))

    @staticmethod
    def _payload(exchange: Exchange):
        if exchange.method.upper() != "POST" or not exchange.request_body:
            return None
        try:
            payload = json.loads(exchange.request_body)
        except ValueError:
            return None
        return payload if isinstance(payload, dict) and isinstance(payload.get("query"), str) else None

    def find(self, exchange: Exchange) -> str | None:
        payload = self._payload(exchange)
        if payload is None:
            return None
        from graphql import GraphQLError, OperationDefinitionNode, parse
        name = payload.get("operationName")
        try:
            ops = [d for d in parse(payload["query"]).definitions if isinstance(d, OperationDefinitionNode)]
        except GraphQLError:
            return f"{name or 'anonymous'} (GraphQL document)"
        op = next((o for o in ops if not name or (o.name and o.name.value == name)), ops[0] if ops else None)
        if op is None:
            return "GraphQL document without an operation"
        return f"{op.name.value if op.name else 'anonymous'} ({op.operation.value})"

    def check(self, exchange: Exchange, operation: str) -> list[Violation]:
        from graphql import GraphQLError, parse, validate
        payload = self._payload(exchange)
        try:
            document = parse(payload["query"])
        except GraphQLError as exc:
            return [Violation("request", operation, "query", f"syntax: {exc.message}")]
        found = [Violation("request", operation, _locations(e), f"validation: {e.message}")
                 for e in validate(self.schema, document)]
        variables = payload.get("variables") or {}
        if found:
            return found
        found += self._variable_errors(document, payload.get("operationName"), variables, operation)
        if not found and not exchange.injected and exchange.status == 200:
            found += self._response_errors(exchange, document, payload, operation)
        return found

    def _variable_errors(self, document, name, variables, operation) -> list[Violation]:
        from graphql.execution.values import get_variable_values
        from graphql.language import OperationDefinitionNode
        ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        op = next((o for o in ops if not name or (o.name and o.name.value == name)), None)
        if op is None:
            return [Violation("request", operation, "operationName", f"no operation named {name!r}")]
        result = get_variable_values(self.schema, op.variable_definitions, variables)
        if isinstance(result, list):
            return [Violation("request", operation, "variables", f"variables: {e.message}") for e in result]
        return []

    def _response_errors(self, exchange, document, payload, operation) -> list[Violation]:
        """Execute the document over the answer's ``data``: every selected field must be there, typed right."""
        from graphql import execute
        where = f"{operation} → {exchange.status}"
        try:
            body = json.loads(exchange.response_body)
        except ValueError:
            return [Violation("response", where, "body", "the answer is not JSON")]
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            return [Violation("response", where, "body", "a GraphQL answer has 'data' or 'errors'")]
        if body.get("data") is None:
            return []
        missing: list[str] = []

        def resolve(source, info, **_args):
            key = info.path.key
            if isinstance(source, dict):
                value = source.get(key, MISSING)
                if value is MISSING:
                    missing.append(field_path(info.path.as_list(), "data"))
                    return None
                return value
            return None

        result = execute(self.schema, document, root_value=body["data"], field_resolver=resolve,
                         operation_name=payload.get("operationName"),
                         variable_values=payload.get("variables") or {}, type_resolver=_type_from_typename)
        found = [Violation("response", where, field, "required: every selected field is answered")
                 for field in missing]
        for error in result.errors or []:
            path = field_path(error.path or [], "data")
            if path not in missing:
                found.append(Violation("response", where, path, f"type: {error.message}"))
        return found


def _type_from_typename(value, info, abstract_type):
    """Unions and interfaces: the concrete type the answer names with ``__typename``; without it (the
    document did not ask), the first possible type that has every field the answer holds."""
    if not isinstance(value, dict):
        return None
    if value.get("__typename"):
        return value["__typename"]
    keys = set(value)
    for candidate in info.schema.get_possible_types(abstract_type):
        if keys <= set(candidate.fields):
            return candidate.name
    return None


def _locations(error) -> str:
    locs = error.locations or []
    return "query" + (f" line {locs[0].line} column {locs[0].column}" if locs else "")
