"""Operator endpoints for load balancers and monitoring: /healthz (the process lives), /readyz (database,
Redis, the scheduler's heartbeat, the queue depth) and /metrics (Prometheus, by token or from allowed
addresses only)."""
from __future__ import annotations

import hmac
import ipaddress
import logging

from flask import Blueprint, Response, abort, jsonify, redirect, request, url_for

from hub import clock
from hub.web.context import hub

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.route("/favicon.ico")
def favicon():
    """Browsers that ask for /favicon.ico before reading the page's icon link get the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/healthz")
def healthz():
    """Answers while the process serves requests; checks nothing else (liveness)."""
    return jsonify(status="ok")


def readiness(h) -> tuple[bool, dict]:
    """Each dependency's state: (all fine, {check: "ok" or why not})."""
    from rq.cron import cron_scheduler_registry
    from sqlalchemy import text
    checks: dict[str, str] = {}
    try:
        with h.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        h.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unavailable: {type(exc).__name__}"
        checks["scheduler"] = checks["queue"] = "unknown: Redis is unavailable"
        return False, checks
    beat = h.redis.zscore(cron_scheduler_registry.get_registry_key(), f"returnhub-{h.config.queue_name}")
    if beat is None:
        checks["scheduler"] = "no heartbeat: is `returnhub scheduler` running?"
    elif clock.time() - beat > h.config.scheduler_stale_seconds:
        checks["scheduler"] = f"last heartbeat {int(clock.time() - beat)} s ago"
    else:
        checks["scheduler"] = "ok"
    depth = len(h.queue)
    checks["queue"] = "ok" if depth <= h.config.ready_max_queue else (
        f"{depth} jobs waiting (more than {h.config.ready_max_queue}): workers are behind")
    return all(v == "ok" for v in checks.values()), checks


@bp.route("/readyz")
def readyz():
    """200 when the process can do its work, 503 with the failing checks otherwise."""
    ok, checks = readiness(hub())
    if not ok:
        log.warning("not ready: %s", ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"))
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503


def _metrics_allowed() -> bool:
    token = hub().config.metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in hub().config.metrics_allow_from)


@bp.route("/metrics")
def metrics():
    """Prometheus text format; with RETURNHUB_METRICS_TOKEN a Bearer token, else only from
    RETURNHUB_METRICS_ALLOW_FROM (loopback by default)."""
    if not _metrics_allowed():
        abort(403)
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        CollectorRegistry,
        generate_latest,
    )

    from hub.metrics import HubCollector
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(hub()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Cache-Control": "no-store"})
