"""Errors as RFC 9457 problem details (application/problem+json): a readable detail, field errors, never a trace."""
from __future__ import annotations

import json
import logging
from http import HTTPStatus

from flask import current_app, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
PREFIX = "/api/v1"


class ProblemSchema(Schema):
    """RFC 9457 problem details; ``errors`` maps a field path (``lines.0.decision``) to its messages."""

    type = fields.String(required=True, metadata={"description": "always about:blank: the status says it"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "field errors of a 422, by field path"})


def problem(status: int, detail: str, errors: dict | None = None, headers: dict | None = None):
    """A problem+json response."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten(messages, path: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow nested messages as {"a.0.b": ["message"]}; the request location is dropped."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if not path else f"{path}.{key}"
            for sub, msgs in flatten(value, name).items():
                out.setdefault(sub, []).extend(msgs)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[path or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            out.update(flatten(value, f"{path}.{index}" if path else str(index)))
    else:
        out[path or "_schema"] = [str(messages)]
    return out


_LOCATIONS = {"json", "query", "view_args", "path", "headers", "form"}


def http_problem(error: HTTPException):
    """An HTTPException (abort, webargs validation) as problem+json."""
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    messages = data.get("errors") or data.get("messages")
    errors = None
    if messages:
        if isinstance(messages, dict) and set(messages) <= _LOCATIONS:
            merged: dict = {}
            for value in messages.values():
                merged.update(flatten(value))
            errors = merged
        else:
            errors = flatten(messages)
    detail = data.get("message") or (
        "Some fields are invalid: " + ", ".join(sorted(errors)) + "." if errors else error.description)
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="returnhub"')
    return problem(status, detail, errors, headers)


def handle_http_exception(error: HTTPException):
    """App-wide handler: problem+json under /api/v1, Flask's own answer elsewhere (the merchant UI)."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return http_problem(error)
    return error


def handle_unexpected(error: Exception):
    """Any other exception in an API view: logged with its trace, answered without one."""
    log.exception("API error on %s %s", request.method, request.path)
    return problem(500, "Something went wrong on our side; it has been logged. Try again later.")
