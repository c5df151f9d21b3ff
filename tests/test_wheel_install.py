"""Install as an integrator does: wheels of the core and every plugin, installed without ``-e`` in a fresh
venv; then ``returnhub db upgrade``, ``returnhub plugins``, ``create-user``, and ``returnhub demo`` (which is
``up`` with the plugins' emulators) served through gunicorn until a return has moved into the shop."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
import venv

import httpx
import pytest
from test_up import free_port, wait_for_answer
from wheels import PROJECTS, build_wheel

pytestmark = pytest.mark.skipif(not os.environ.get("RETURNHUB_SLOW_TESTS"), reason="slow (builds wheels, a fresh "
                                "venv, ~1 min): set RETURNHUB_SLOW_TESTS=1, as `make test` and CI do")


def run(env: dict, *args: str) -> str:
    """Run a command outside the checkout (so nothing imports from it) and give its output."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=env["HOME_DIR"],
                          check=False)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_slow_wheels_install_migrate_and_move_a_return(tmp_path):
    pytest.importorskip("wheel", reason="pip install -e '.[testing]'")
    dist = tmp_path / "dist"
    wheels = [str(build_wheel(project, tmp_path / "src", dist)) for project in sorted(PROJECTS)]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    run(dict(os.environ, HOME_DIR=str(tmp_path)), str(bin_dir / "python"), "-m", "pip", "install", "-q",
        "--disable-pip-version-check", *wheels)
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETURNHUB_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(RETURNHUB_INSTANCE_PATH=str(instance), PATH=f"{bin_dir}:{env.get('PATH', '')}",
               RETURNHUB_SECRET_KEY="wheel-test-" + "k" * 40, HOME_DIR=str(tmp_path))
    returnhub = str(bin_dir / "returnhub")
    where = run(env, str(bin_dir / "python"), "-c", "import hub; print(hub.__file__)")
    assert str(env_dir) in where, f"hub imported from {where}, not the fresh venv"

    assert "up to date" in run(env, returnhub, "db", "upgrade")
    listed = run(env, returnhub, "plugins")
    for name in ("bol", "shopify", "amazon"):
        assert any(line.split()[:1] == [name] and "loaded" in line for line in listed.splitlines()), listed
    run(env, returnhub, "create-user", "--email", "ops@example.com", "--password", "a long password 1")

    port = free_port()
    # the demo logs at INFO from several processes: into a file, never a pipe nobody reads while waiting
    # (a full pipe blocks the writers, and then no return moves)
    demo_log = tmp_path / "demo.log"
    proc = subprocess.Popen([returnhub, "demo", "--port", str(port)], env=env, start_new_session=True, cwd=tmp_path,
                            stdout=demo_log.open("w"), stderr=subprocess.STDOUT, text=True)
    try:
        response = wait_for_answer(proc, f"http://127.0.0.1:{port}/login", 120)
        assert response.status_code == 200 and response.headers["server"].startswith("gunicorn")
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        deadline, moved = time.monotonic() + 90, 0
        while time.monotonic() < deadline and not moved:
            with sqlite3.connect(instance / "returnhub.db") as db:
                moved = db.execute("SELECT count(*) FROM return_request WHERE state = 'in_shop'").fetchone()[0]
            time.sleep(0.5)
        if not moved:  # say what the demo saw: its log's tail, the returns' and connections' states
            log = demo_log.read_text()[-6000:]
            with sqlite3.connect(instance / "returnhub.db") as db:
                returns = db.execute("SELECT external_id, state, attention_reason FROM return_request").fetchall()
                connections = db.execute("SELECT name, status, last_error, last_poll_at FROM connection").fetchall()
            pytest.fail(f"no return reached the shop\nreturns: {returns}\nconnections: {connections}\n{log}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
