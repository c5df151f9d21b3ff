"""The base of a platform emulator: a Flask app with a request ledger, fault injection, per-endpoint rate
limits, bearer tokens, an optional OAuth2 token endpoint and the standard ``/_emulator`` test hooks,
so that an emulator itself is mostly the platform's mapping."""
from __future__ import annotations

import argparse
from functools import wraps

from flask import Flask, g, jsonify, request

from hub import clock
from hub.testing.emulation.auth import BearerTokens, OAuth2TokenEndpoint
from hub.testing.emulation.errors import json_error, too_many_requests
from hub.testing.emulation.faults import FaultInjector
from hub.testing.emulation.hooks import TestHooks
from hub.testing.emulation.ledger import Entry, Ledger
from hub.testing.emulation.ratelimit import RateLimits

HOOKS = "/_emulator"


class EmulatorApp(TestHooks):
    """``emu = EmulatorApp(__name__)``; add routes to ``emu.app``; ``emu.app`` is what ``create_app`` returns.

    ``emu.ledger`` holds every API request answered, ``emu.faults`` arms faults, ``emu.limit(...)`` sets a
    rate limit per endpoint, ``emu.tokens``/``emu.require_bearer`` check bearer tokens, ``emu.oauth2(...)``
    serves a token endpoint. ``app.extensions["emulation"]`` gives the builder back from the app. The
    platform's own test hooks come from :class:`~hub.testing.emulation.hooks.TestHooks` (``emu.seed_hook``...).
    """

    def __init__(self, import_name: str, *, hooks_prefix: str = HOOKS):
        self.app = Flask(import_name)
        self.hooks_prefix = hooks_prefix
        self.ledger = Ledger()
        self.limits = RateLimits()
        self.tokens = BearerTokens()
        self.token_endpoint: OAuth2TokenEndpoint | None = None
        self.faults = FaultInjector(self.app.wsgi_app, hooks_prefix)
        self.app.wsgi_app = self.faults
        self.app.extensions["emulation"] = self
        self.app.before_request(self._before)
        self.app.after_request(self._after)
        self._hooks()

    # -- building -----------------------------------------------------------------------------
    def limit(self, endpoint: str, requests: int, per_seconds: float) -> None:
        """Rate-limit ``"METHOD /rule"`` (Flask's rule, e.g. ``"GET /returns/<rid>"``) or ``"*"`` (every request)."""
        self.limits.set(endpoint, requests, per_seconds)

    def oauth2(self, clients: dict[str, str], *, path: str = "/token", ttl: float = 3600,
               rotate_refresh_tokens: bool = False, scope: str = "") -> OAuth2TokenEndpoint:
        """Serve an OAuth2 token endpoint at ``path`` issuing into ``self.tokens``."""
        self.token_endpoint = OAuth2TokenEndpoint(self.tokens, clients, ttl=ttl,
                                                  rotate_refresh_tokens=rotate_refresh_tokens, scope=scope)
        self.token_endpoint.install(self.app, path)
        return self.token_endpoint

    def require_bearer(self, view):
        """Decorate a view: 401 unless the request carries a live bearer token (``g.grant`` is its grant)."""
        @wraps(view)
        def guarded(*args, **kwargs):
            grant = self.tokens.check()
            if grant is None:
                return json_error(401, "Missing, invalid or expired access token")
            g.grant = grant
            return view(*args, **kwargs)
        return guarded

    def serve(self):
        """The app on a free loopback port (stop it, or use it with ``with``)."""
        from hub.testing.emulator import EmulatorServer
        return EmulatorServer(self.app).start()

    # -- what every request goes through ------------------------------------------------------
    def _api(self) -> bool:
        return not request.path.startswith(self.hooks_prefix)

    def _before(self):
        if not self._api():
            return None
        g.emulation_entry = self.ledger.add(Entry(
            request.method, request.path, {k: request.args.getlist(k) for k in request.args},
            dict(request.headers), request.get_json(silent=True) if request.data else None, at=clock.time()))
        rule = request.url_rule.rule if request.url_rule is not None else request.path
        for key in (f"{request.method} {rule}", "*"):
            wait = self.limits.check(key)
            if wait is not None:
                return too_many_requests(wait)
        return None

    def _after(self, response):
        entry = g.get("emulation_entry")
        if entry is not None:
            entry.status = response.status_code
            entry.response = response.get_json(silent=True) if response.is_json else None
        return response

    def _hooks(self) -> None:
        prefix = self.hooks_prefix

        @self.app.get(f"{prefix}/requests", endpoint="emulation_requests")
        def requests_hook():
            return jsonify(requests=[e.as_dict() for e in self.ledger.entries])

        @self.app.post(f"{prefix}/faults", endpoint="emulation_faults")
        def faults_hook():
            body = request.get_json(force=True) or {}
            kind = body.get("kind", "status")
            where = {"count": int(body.get("count", 1)), "path": body.get("path", ""),
                     "method": body.get("method", "")}
            if kind == "latency":
                self.faults.delay(float(body.get("seconds", 1)), **where)
            elif kind == "drop":
                self.faults.drop(**where)
            elif kind == "status":
                self.faults.inject(int(body["status"]), retry_after=body.get("retry_after"), **where)
            else:
                return json_error(400, f"unknown fault kind {kind!r}")
            return jsonify(armed=kind)

        @self.app.post(f"{prefix}/reset", endpoint="emulation_reset")
        def reset_hook():
            self.ledger.clear()
            self.faults.clear()
            return jsonify(reset=True)


def run_in_foreground(make_app, *, port: int, argv=None, description: str | None = None) -> None:
    """An emulator's ``main``: ``--host`` (127.0.0.1) and ``--port`` (``port``), then ``make_app()`` served in the
    foreground until interrupted."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    args = parser.parse_args(argv)
    make_app().run(host=args.host, port=args.port, threaded=True)
