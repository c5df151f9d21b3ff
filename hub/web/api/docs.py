"""The interactive API docs at /api/v1/docs: Swagger UI served from the swagger-ui-bundle package, no CDN."""
from __future__ import annotations

from flask import Blueprint, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Returnhub API</title>
<link rel="stylesheet" href="{css}"><link rel="icon" href="{icon}"></head>
<body><div id="swagger-ui" data-spec="{spec}"></div>
<script src="{bundle}"></script><script src="{preset}"></script><script src="{init}"></script>
</body></html>"""


@bp.route("")
def page():
    asset = lambda name: url_for("api_docs.asset", filename=name)  # noqa: E731
    return PAGE.format(css=asset("swagger-ui.css"), icon=asset("favicon-32x32.png"),
                       bundle=asset("swagger-ui-bundle.js"), preset=asset("swagger-ui-standalone-preset.js"),
                       spec=url_for("api-docs.openapi_json"), init=url_for("static", filename="swagger-init.js"))


@bp.route("/assets/<path:filename>")
def asset(filename: str):
    if filename not in ASSETS:
        return "not found", 404
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
