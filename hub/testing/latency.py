"""What the plugins' latency benchmarks share: a hub on loopback with real worker and scheduler processes
(``python -m hub.cli``, configured by ``Config.to_env()``), the emulators it talks to, waiting for a condition,
and the nearest-rank percentiles of the latencies measured. A benchmark keeps only its scenario."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import UTC

from hub.config import Config
from hub.db.migrate import upgrade
from hub.runtime import Hub
from hub.supervisor import stop_processes
from hub.testing.emulator import EmulatorServer
from hub.testing.waiting import until


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def wait_until(check, timeout: float, what: str, step: float = 0.05) -> None:
    """Poll ``check`` until it is true; exit the benchmark after ``timeout`` seconds."""
    try:
        until(check, what, timeout, step)
    except AssertionError as exc:
        raise SystemExit(str(exc)) from None


def report(name: str, values: list[float]) -> None:
    """One line: the count, p50, p95 and max of ``values`` (seconds)."""
    print(f"{name:<18} n={len(values):<4} p50={percentile(values, 50):8.3f} s  "
          f"p95={percentile(values, 95):8.3f} s  max={max(values):8.3f} s")


def since(rows, started: dict[str, float]) -> list[float]:
    """``[(key, datetime written by the worker)]`` → seconds after ``started[key]`` (naive times are UTC)."""
    out = []
    for key, at in rows:
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        out.append(at.timestamp() - started[key])
    return out


class LatencyHub:
    """The hub (SQLite in ``folder`` unless ``database_url``; Redis from RETURNHUB_BENCH_REDIS_URL, else an
    embedded one), emulators served with ``serve``, processes started with ``spawn``; ``close`` ends them all."""

    def __init__(self, folder: str, *, plugins: list[str], database_url: str | None = None, **config):
        redis_url = os.environ.get("RETURNHUB_BENCH_REDIS_URL")
        if not redis_url:
            from hub.embedded import start_embedded_redis
            redis_url = start_embedded_redis(os.path.join(folder, "redis"))
        self.config = Config(
            instance_path=folder, database_url=database_url or f"sqlite:///{folder}/latency.db",
            redis_url=redis_url, secret_key=secrets.token_urlsafe(32), plugins=plugins,
            allow_local_hosts=["127.0.0.1"], reconcile_interval=60, queue_name=f"latency-{secrets.token_hex(3)}",
            secure_cookies=False, **config)
        upgrade(self.config.database_url)
        self.hub = Hub(self.config).activate()
        self.procs: list[subprocess.Popen] = []
        self.servers: list[EmulatorServer] = []

    def serve(self, app) -> EmulatorServer:
        """Run a Flask app (an emulator, the hub's web app) on a loopback port until ``close``."""
        server = EmulatorServer(app).start()
        self.servers.append(server)
        return server

    def spawn(self, command: str) -> None:
        """Start ``python -m hub.cli <command>`` (worker, scheduler) on this hub's configuration."""
        env = dict(os.environ, **self.config.to_env())
        self.procs.append(subprocess.Popen([sys.executable, "-m", "hub.cli", command], env=env))

    def close(self) -> None:
        stop_processes(self.procs)
        for server in reversed(self.servers):
            server.stop()
        self.hub.db.dispose()
