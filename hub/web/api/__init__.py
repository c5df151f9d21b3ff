"""The REST API under /api/v1: Bearer tokens, problem+json errors, an OpenAPI 3 document from the
marshmallow schemas (flask-smorest) at /api/v1/openapi.json and Swagger UI at /api/v1/docs."""
from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from hub import __version__
from hub.web.api import connections, docs, plugins, privacy, returns, webhooks
from hub.web.api.problems import MEDIA_TYPE, ProblemSchema, handle_http_exception, handle_unexpected, http_problem
from hub.web.api.security import authorize

BLUEPRINTS = (returns.blp, connections.blp, plugins.blp, webhooks.blp, privacy.blp)
DESCRIPTION = """Script Returnhub, or connect a custom shop without a plugin (the `api` shop).

Authenticate with `Authorization: Bearer <token>` (create one with `returnhub token create`).
Scopes: `returns:read`, `returns:write`, `connections:write`. Each token may send a burst of 200
requests, then 4 a second; beyond that the answer is 429 with `Retry-After`. Errors are RFC 9457
problem details (`application/problem+json`); a 422 lists field errors under `errors`."""


class ReturnhubApi(Api):
    """flask-smorest with problem+json error responses, documented as such, and error handlers that
    leave the merchant UI's pages alone."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, handle_http_exception)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def init_api(app: Flask, csrf=None) -> ReturnhubApi:
    """Mount /api/v1 on ``app``; the API uses Bearer tokens, not cookies, so it is exempt from CSRF."""
    app.config.update(
        API_TITLE="Returnhub API", API_VERSION=__version__, OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": DESCRIPTION}, "security": [{"bearerAuth": []}]},
    )
    api = ReturnhubApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
        if csrf is not None:
            csrf.exempt(blp)
    app.register_blueprint(docs.bp)
    return api


def _prepare_blueprints():
    """Once per process: authentication first, and error handlers that, inside an API view, win over
    any app-wide handler another part of the app registers."""
    for blp in BLUEPRINTS:
        blp.before_request(authorize)
        blp.register_error_handler(HTTPException, http_problem)
        blp.register_error_handler(Exception, handle_unexpected)


_prepare_blueprints()
