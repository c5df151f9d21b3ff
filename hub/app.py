"""create_app: the Flask app factory (plugins load here, never at import time)."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from hub.config import Config
from hub.runtime import Hub

csrf = CSRFProtect()


def create_app(config: Config | None = None, hub: Hub | None = None) -> Flask:
    """Build the web app around a Hub (configuration, database, plugins, queue)."""
    hub = hub or Hub(config or Config.from_env()).activate()
    app = Flask(__name__, instance_path=hub.config.instance_path)
    app.config.update(
        SECRET_KEY=hub.config.resolved_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=hub.config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=hub.config.session_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=hub.config.testing,
    )
    app.extensions["returnhub"] = hub
    csrf.init_app(app)

    from hub.web import (
        auth,
        connections,
        dashboard,
        language,
        ops,
        plugins_page,
        privacy,
        register_return,
        returns,
        tokens,
        webhooks,
    )
    app.register_blueprint(ops.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(returns.bp)
    app.register_blueprint(register_return.bp)
    app.register_blueprint(connections.bp)
    app.register_blueprint(plugins_page.bp)
    app.register_blueprint(webhooks.bp)
    csrf.exempt(webhooks.bp)
    from hub.web.api import init_api
    init_api(app, csrf)  # /api/v1: Bearer tokens, no cookies, so exempt from CSRF
    for plugin_name, blueprint in hub.registry.blueprints():
        app.register_blueprint(blueprint, url_prefix=f"/plugins/{plugin_name}")

    from hub.i18n import init_i18n
    init_i18n(app)
    from hub.web.filters import register_filters
    register_filters(app)
    from hub.web import security_headers
    security_headers.install(app)
    from hub.logs import install_request_ids
    install_request_ids(app)
    if hub.config.trusted_proxies:  # X-Forwarded-* believed only from this many proxies in front
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = hub.config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return app
