"""Structured JSON logs (RETURNHUB_LOG_FORMAT=json) carry the request id and the job id."""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from hub.app import create_app
from hub.logs import build_handler


@pytest.fixture
def json_lines():
    """Capture the root logger as JSON lines, the way `configure("json")` writes them."""
    stream = io.StringIO()
    handler = build_handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_request_id_in_logs_and_answer(hub, json_lines):
    client = create_app(hub=hub).test_client()
    response = client.get("/readyz", headers={"X-Request-ID": "req-42.abc"})  # no scheduler: logs a warning
    assert response.status_code == 503 and response.headers["X-Request-ID"] == "req-42.abc"
    lines = [line for line in json_lines() if line["logger"] == "hub.web.ops"]
    assert lines and lines[0]["request_id"] == "req-42.abc" and lines[0]["level"] == "WARNING"
    assert "not ready" in lines[0]["message"] and lines[0]["job_id"] is None
    fresh = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert len(fresh) == 32 and " " not in fresh, "an unusable incoming id is replaced"


def test_job_id_in_logs(hub, json_lines):
    from hub.sync.worker import run_worker
    job = hub.queue.enqueue("hub.housekeeping.housekeeping")
    run_worker(hub, burst=True)
    lines = [line for line in json_lines() if line["logger"] == "hub.housekeeping"]
    assert lines and lines[0]["job_id"] == job.id and lines[0]["request_id"] is None


def test_cli_writes_json_and_refuses_an_unknown_format(hub, config):
    env = dict(os.environ, **{**config.to_env(), "RETURNHUB_LOG_FORMAT": "json"})
    done = subprocess.run([sys.executable, "-m", "hub.cli", "housekeeping"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    env["RETURNHUB_LOG_FORMAT"] = "xml"
    done = subprocess.run([sys.executable, "-m", "hub.cli", "plugins"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "text or json" in done.stderr


@pytest.mark.parametrize("level, httpx_level", [("INFO", logging.WARNING), ("DEBUG", logging.DEBUG)])
def test_per_request_library_logs_only_at_debug(level, httpx_level):
    """httpx's one INFO line per request would drown the hub's own lines (75 KB per demo half-minute)."""
    from hub.logs import QUIET_LIBRARIES, configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in QUIET_LIBRARIES}
    try:
        configure("text", level)
        assert {logging.getLogger(n).level for n in QUIET_LIBRARIES} == {httpx_level}
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, old in saved[2].items():
            logging.getLogger(name).setLevel(old)
