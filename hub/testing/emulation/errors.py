"""JSON error answers the way platforms give them: a plain ``{"error": ...}``, an OAuth2 error, or an
RFC 7807 problem."""
from __future__ import annotations

from http import HTTPStatus

from flask import jsonify


def json_error(status: int, message: str | None = None, *, headers: dict | None = None, **fields):
    """``{"error": message, **fields}`` with ``status``; ``message`` defaults to the status phrase."""
    response = jsonify({"error": message or HTTPStatus(status).phrase, **fields})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = str(value)
    return response


def oauth_error(status: int, error: str, description: str | None = None):
    """An RFC 6749 token-endpoint error (``invalid_client``, ``invalid_grant``...), never cached."""
    body = {"error": error, **({"error_description": description} if description else {})}
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def problem(status: int, title: str | None = None, detail: str | None = None, *,
            media_type: str = "application/problem+json", **fields):
    """An RFC 7807 problem document (``type``, ``title``, ``status``, ``detail`` and extras)."""
    response = jsonify({"type": "about:blank", "title": title or HTTPStatus(status).phrase, "status": status,
                        **({"detail": detail} if detail else {}), **fields})
    response.status_code = status
    response.mimetype = media_type
    return response


def too_many_requests(retry_after: int, message: str = "Too Many Requests"):
    """429 with Retry-After, the way every platform the hub knows says it."""
    return json_error(429, message, headers={"Retry-After": retry_after})
