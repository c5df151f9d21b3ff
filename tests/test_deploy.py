"""The deploy/ recipes: the systemd units' own command lines, run against PostgreSQL and Redis, migrate,
serve, work and schedule until a return has moved into the shop; compose runs the same commands."""
from __future__ import annotations

import configparser
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select
from test_up import free_port, wait_for_answer

from hub.db import ReturnRow
from hub.testing.waiting import until

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = {"migrate": "returnhub-migrate.service", "web": "returnhub-web.service",
         "worker": "returnhub-worker@.service", "scheduler": "returnhub-scheduler.service"}
INSTALLED = "/opt/returnhub/venv/bin/returnhub"


def unit_command(name: str) -> list[str]:
    """The ExecStart of a unit, with the installed path replaced by this environment's ``returnhub``."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / UNITS[name])
    service = parser["Service"]
    assert service["EnvironmentFile"] == "/etc/returnhub/returnhub.env"
    args = shlex.split(service["ExecStart"])
    assert args[0] == INSTALLED, args
    return [str(Path(sys.executable).parent / "returnhub"), *args[1:]]


def env_example() -> dict[str, str]:
    lines = (DEPLOY / "returnhub.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_compose_runs_the_units_commands():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "scheduler"} <= set(services)
    for name in UNITS:
        command = services[name]["command"]
        unit = unit_command(name)
        assert command[0] == "returnhub" and command[1:2] == unit[1:2], (name, command, unit)
    assert services["scheduler"]["deploy"]["replicas"] == 1
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"], "the web port stays behind the proxy"
    assert set(env_example()) >= {"RETURNHUB_DATABASE_URL", "RETURNHUB_REDIS_URL", "RETURNHUB_SECRET_KEY",
                                  "RETURNHUB_TRUSTED_PROXIES", "RETURNHUB_METRICS_TOKEN"}


def test_units_command_lines_move_a_return(hub, config, make_connection, market_emu, shop_emu, tmp_path):
    if hub.db.engine.dialect.name != "postgresql":
        pytest.skip("the deployment runs on PostgreSQL: set RETURNHUB_TEST_DATABASE_URL")
    port = free_port()
    env = dict(os.environ, **env_example())
    env.update(config.to_env())
    env.update(RETURNHUB_PORT=str(port), RETURNHUB_INSTANCE_PATH=str(tmp_path / "var"), RETURNHUB_WEB_WORKERS="2",
               RETURNHUB_METRICS_TOKEN="deploy-test-token")
    migrated = subprocess.run(unit_command("migrate"), env=env, capture_output=True, text=True, timeout=120, check=False)
    assert migrated.returncode == 0, migrated.stderr

    make_connection()
    market_emu.state["returns"].append(sample_return(1))
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    procs = [subprocess.Popen(unit_command(name), env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
             for name in ("web", "worker", "worker", "scheduler")]
    try:
        web = procs[0]
        assert wait_for_answer(web, f"http://127.0.0.1:{port}/healthz").headers["server"].startswith("gunicorn")
        def in_shop() -> bool:
            with hub.session() as s:
                return s.scalar(select(ReturnRow.state).where(ReturnRow.external_id == "R1")) == "in_shop"

        until(in_shop, lambda: f"R1 in the shop; processes' exit codes: {[p.poll() for p in procs]}", 60, 0.3)
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        # The worker sends its counters to Redis when its job ends, a moment after the commit seen above.
        line, scraped = 'returnhub_transitions_total{from_state="received",to_state="in_shop"} 1.0', [""]

        def counted() -> bool:
            scraped[0] = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10,
                                   headers={"Authorization": "Bearer deploy-test-token"}).text
            return line in scraped[0]

        until(counted, lambda: f"{line}; the transition counters were "
              f"{[x for x in scraped[0].splitlines() if x.startswith('returnhub_transitions_total')]}", 30, 0.2)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [p.stderr.read()[-2000:] for p in procs]


def test_readme_production_section_matches_the_recipes():
    readme = (DEPLOY.parent / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    for unit in UNITS.values():
        assert unit in section, f"README does not mention {unit}"
    for path in ("deploy/compose.yaml", "deploy/Dockerfile", "deploy/returnhub.env.example", "returnhub db upgrade",
                 "RETURNHUB_TRUSTED_PROXIES", "/healthz", "/readyz", "/metrics"):
        assert path in section, f"README's production section does not mention {path}"
    for name in env_example():
        assert name in readme, f"{name} (deploy/returnhub.env.example) is not documented in the README"
