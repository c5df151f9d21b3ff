"""Process logging: text, or structured JSON lines (RETURNHUB_LOG_FORMAT=json) that carry the id of the
request or job in hand, with secrets redacted. Web requests take a sane X-Request-ID or get a new one."""
from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("returnhub_request_id", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(job_id)s] %(message)s"


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``job_id`` (None outside a request or job) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        from rq import get_current_job
        job = get_current_job()  # the worker's job in hand (a process-local stack, no Redis call)
        record.job_id = job.id if job is not None else None
        return True


def build_handler(log_format: str = "text", stream=None) -> logging.Handler:
    """A handler writing ``log_format`` (``text`` or ``json``) records, with context and redaction."""
    from hub.http import Redactor
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(Redactor())
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(job_id)s",
                                           rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT.replace("%(request_id)s%(job_id)s",
                                                                   "req=%(request_id)s job=%(job_id)s")))
    return handler


QUIET_LIBRARIES = ("httpx", "httpcore")


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Send the root logger's records through one handler of ``log_format``."""
    if log_format not in ("text", "json"):
        raise ValueError(f"RETURNHUB_LOG_FORMAT must be text or json, not {log_format!r}")
    root = logging.getLogger()
    root.handlers[:] = [build_handler(log_format)]
    root.setLevel(level.upper())
    # httpx logs every request at INFO; the hub logs its own calls, so keep theirs for DEBUG only.
    for chatty in QUIET_LIBRARIES:
        logging.getLogger(chatty).setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)


def install_request_ids(app) -> None:
    """Give every request an id (a sane incoming X-Request-ID, else a new one), logged and answered."""
    from flask import g, request

    @app.before_request
    def _start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g._request_id_token = request_id_var.set(g.request_id)

    @app.after_request
    def _answer(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response

    @app.teardown_request
    def _end(_exc):
        token = g.pop("_request_id_token", None)
        if token is not None:
            request_id_var.reset(token)
