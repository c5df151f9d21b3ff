"""`returnhub up`: web, worker and scheduler on one machine, and a clean stop."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_up_serves_and_stops_cleanly(config):
    port = free_port()
    env = dict(os.environ, **{**config.to_env(), "RETURNHUB_PORT": str(port)})
    proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "up"], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.3)
        assert response.status_code == 302 and response.headers["location"].startswith("/login")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    leftovers = subprocess.run(["pgrep", "-s", str(proc.pid)], check=False, capture_output=True, text=True).stdout.split()
    assert leftovers == []


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
