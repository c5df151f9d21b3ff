"""Where a secret must never show: log records, anything in Redis (job arguments above all), web pages."""
from __future__ import annotations

import logging
import zlib
from urllib.parse import quote


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe="")}


def find(text: str, secrets: dict[str, str]) -> list[str]:
    """Names of the secret settings whose value occurs in ``text``."""
    return sorted(name for name, value in secrets.items() if any(f in text for f in _forms(value)))


class LogCapture(logging.Handler):
    """Every record any logger emits while active (root at DEBUG), formatted with its traceback."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is the plugin's bug, but still look at its parts
            text = f"{record.msg} {record.args}"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}" + (f"\n{record.exc_text}" if record.exc_text else ""))

    def __enter__(self) -> LogCapture:
        root = logging.getLogger()
        self._level = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._level)

    def findings(self, secrets: dict[str, str]) -> list[str]:
        return [f"secret '{name}' in the log line: {line[:160]!r}"
                for line in self.lines for name in find(line, secrets)]


def _decoded(raw: bytes) -> str:
    try:
        raw = zlib.decompress(raw)
    except zlib.error:
        pass
    return raw.decode("utf-8", "replace")


def redis_findings(redis, secrets: dict[str, str]) -> list[str]:
    """Secrets found in Redis: RQ jobs are named with their function, other keys by name."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    found = []
    for key in redis.scan_iter(count=500):
        name = key.decode("utf-8", "replace")
        kind = redis.type(key).decode()
        if kind == "string":
            values = [redis.get(key)]
        elif kind == "hash":
            values = list(redis.hgetall(key).values())
        elif kind in ("list", "set", "zset"):
            values = (redis.lrange(key, 0, -1) if kind == "list" else list(redis.smembers(key)) if kind == "set"
                      else redis.zrange(key, 0, -1))
        else:
            continue
        leaked = sorted({n for v in values if v for n in find(_decoded(v), secrets)})
        if not leaked:
            continue
        where = f"Redis key {name}"
        if name.startswith("rq:job:"):
            try:
                job = Job.fetch(name[len("rq:job:"):], connection=redis, serializer=JSONSerializer)
                where = f"the arguments of job {job.func_name}{tuple(job.args)!r} {job.kwargs!r}"[:300]
            except Exception:
                where = f"the RQ job {name}"
        found += [f"secret '{n}' in {where}" for n in leaked]
    return found


def page_text(client, path: str) -> str:
    """A page's body as the merchant gets it; empty when the page fails (a core bug shows nothing, leaks
    nothing, and the core's own tests catch it)."""
    try:
        return client.get(path).get_data(as_text=True)
    except Exception:
        return ""
