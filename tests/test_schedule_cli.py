"""The schedules on RQ's cron scheduler, and the CLI commands that set a machine up."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, inspect

from hub.db.statistics import REFRESH_SECONDS
from hub.housekeeping import INTERVAL_SECONDS as HOUSEKEEPING_SECONDS
from hub.sync.schedule import build_scheduler
from hub.sync.spread import tick_seconds
from hub.webhooks_out.delivery import SWEEP_SECONDS


def test_scheduler_registers_the_schedules_as_json_jobs(hub, make_connection, market_emu, drain):
    make_connection()
    scheduler = build_scheduler(hub)
    names = {job.func_name: job.interval for job in scheduler.get_jobs()}
    assert names == {"hub.sync.jobs.poll_due_marketplaces": tick_seconds(hub.config.poll_interval),
                     "hub.sync.jobs.poll_due_decisions": tick_seconds(hub.config.decision_interval),
                     "hub.sync.jobs.reconcile": hub.config.reconcile_interval,
                     "hub.webhooks_out.delivery.deliver_webhooks": SWEEP_SECONDS,
                     "hub.sync.jobs.refresh_statistics": REFRESH_SECONDS,
                     "hub.housekeeping.housekeeping": HOUSEKEEPING_SECONDS}
    assert len(scheduler.enqueue_jobs()) == 6
    assert len(hub.queue) == 6
    drain()
    assert market_emu.state["requests"] >= 1  # the fan-out queued and ran a marketplace poll
    assert planner_statistics(hub)  # and the statistics job ran


def planner_statistics(hub) -> int:
    """How many tables the planner has statistics for."""
    with hub.db.engine.connect() as conn:
        if hub.db.engine.dialect.name == "sqlite":
            has_table = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar()
            return conn.exec_driver_sql("SELECT count(DISTINCT tbl) FROM sqlite_stat1").scalar() if has_table else 0
        return conn.exec_driver_sql("SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL").scalar()


def test_statistics_refresh_reaches_the_returns_table(hub, make_connection, market_emu):
    from returnhub_fakemarket.emulator import sample_return

    from hub.db import statistics
    from hub.sync import jobs
    market_emu.state["returns"].extend(sample_return(n) for n in range(1, 4))
    jobs.poll_marketplace(make_connection())
    statistics.refresh(hub.db.engine)
    with hub.db.engine.connect() as conn:
        if hub.db.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'return_request'").scalars().all()
            assert rows and all(stat.split()[0] == "3" for stat in rows)  # 3 rows, per index
        else:
            assert conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'return_request'").scalar() == 3


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], capture_output=True, text=True, check=False,
                          env=dict(os.environ, **env), timeout=120)


def test_db_upgrade_and_create_user(tmp_path):
    env = {"RETURNHUB_INSTANCE_PATH": str(tmp_path), "RETURNHUB_SECRET_KEY": "k"}
    done = run_cli("db", "upgrade", env=env)
    assert done.returncode == 0, done.stderr
    tables = set(inspect(create_engine(f"sqlite:///{tmp_path}/returnhub.db")).get_table_names())
    assert {"return_request", "return_line", "return_event", "connection", "sync_cursor"} <= tables
    made = run_cli("create-user", "--email", "Owner@Example.com", "--password", "long enough pw",
                   "--merchant", "Shop BV", env=env)
    assert made.returncode == 0 and "owner@example.com" in made.stdout
    short = run_cli("create-user", "--email", "x@example.com", "--password", "short", env=env)
    assert short.returncode != 0 and "at least 8 characters" in short.stderr


def test_dev_secret_key_is_generated_with_a_warning(tmp_path, caplog):
    from hub.config import Config
    config = Config(instance_path=str(tmp_path))
    key = config.resolved_secret_key()
    assert len(key) > 40 and (tmp_path / "secret_key").read_text() == key
    assert "RETURNHUB_SECRET_KEY is not set" in caplog.text
