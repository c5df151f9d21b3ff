"""Settings from RETURNHUB_* environment variables, with defaults that run with no configuration."""
from __future__ import annotations

import logging
import os
import secrets as _secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

log = logging.getLogger(__name__)


def _list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass
class Config:
    """Everything the core reads from the environment; tests build one directly."""

    instance_path: str = "instance"
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    port: int = 8000
    plugins: list[str] | None = None          # allow-list; None means every installed plugin
    disable_plugins: list[str] = field(default_factory=list)
    strict_plugins: bool = False
    allow_local_hosts: list[str] = field(default_factory=list)
    queue_name: str = "returnhub"
    poll_interval: int = 300                  # seconds between marketplace polls of a connection
    decision_interval: int = 300              # seconds between decision polls of a connection
    reconcile_interval: int = 30              # rebuilds pending work; with claim_seconds, bounds a dead worker's delay
    order_wait_hours: float = 72.0
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    batch_size: int = 200
    concurrency: int = 16                     # concurrent platform calls within one batch job
    poll_group: int = 10                      # connections a scheduled poll job polls in turn (RQ's cost paid once)
    http_timeout: float = 15.0
    http_retries: int = 3
    claim_seconds: int = 30                   # lease on a batch's returns, renewed while its worker lives
    session_idle_minutes: int = 60
    secure_cookies: bool = True
    web_workers: int = 2                      # gunicorn worker processes
    web_threads: int = 8                      # threads per gunicorn worker
    web_timeout: int = 60                     # seconds a request may take before its worker is restarted
    web_graceful_timeout: int = 30            # seconds in-flight requests get to finish at a stop
    access_log: bool = True
    scheduler_stale_seconds: int = 180        # /readyz fails when the scheduler's heartbeat is older
    ready_max_queue: int = 10000              # /readyz fails when more jobs than this wait
    metrics_token: str | None = None          # /metrics needs "Authorization: Bearer <token>" when set
    metrics_allow_from: list[str] = field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])
    personal_data_days: int = 180             # closed returns are anonymised this many days after closing
    delivery_retention_days: int = 30         # outbox, outgoing and inbound webhook delivery rows kept this long
    log_format: str = "text"                  # text | json (structured lines with request id and job id)
    log_level: str = "INFO"
    trusted_proxies: int = 0                  # reverse proxies in front whose X-Forwarded-* headers are believed
    testing: bool = False

    @classmethod
    def from_env(cls, environ=None, **overrides) -> Config:
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"RETURNHUB_{f.name.upper()}")
            if raw is None:
                continue
            if f.name in ("plugins",):
                values[f.name] = _list(raw)
            elif f.name in ("disable_plugins", "allow_local_hosts", "metrics_allow_from"):
                values[f.name] = _list(raw) or []
            elif f.type in ("bool",):
                values[f.name] = raw.lower() in ("1", "true", "yes", "on")
            elif f.type == "int":
                values[f.name] = int(raw)
            elif f.type == "float":
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        config = cls(**values)
        config.instance_path = str(Path(config.instance_path).resolve())
        return config

    def to_env(self) -> dict[str, str]:
        """The settings as RETURNHUB_* variables, for child processes (worker, scheduler)."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, list):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "1" if value else "0"
            env[f"RETURNHUB_{f.name.upper()}"] = str(value)
        return env

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        Path(self.instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(self.instance_path) / 'returnhub.db'}"

    def resolved_secret_key(self) -> str:
        """RETURNHUB_SECRET_KEY, else a development key generated once into the instance folder."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.instance_path) / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_secrets.token_urlsafe(48))
            path.chmod(0o600)
        log.warning("RETURNHUB_SECRET_KEY is not set: using the development key in %s", path)
        self.secret_key = path.read_text().strip()
        return self.secret_key
