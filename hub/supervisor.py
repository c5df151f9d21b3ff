"""Running every piece on one machine (``returnhub up``): web in this process, worker(s) and the
scheduler as children that are restarted if they die, all stopped together."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from hub.config import Config

log = logging.getLogger(__name__)


class Children:
    """Child processes of ``returnhub``; a child that exits unexpectedly is started again."""

    def __init__(self, commands: list[list[str]], env: dict):
        self.commands, self.env = commands, env
        self.procs = [self._spawn(cmd) for cmd in commands]
        self.stopping = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _spawn(self, args: list[str]) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "hub.cli", *args], env=self.env)

    def _watch(self) -> None:
        while not self.stopping.wait(2):
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None and not self.stopping.is_set():
                    log.warning("%s exited with %s; starting it again", " ".join(self.commands[i]), proc.returncode)
                    self.procs[i] = self._spawn(self.commands[i])

    def stop(self) -> None:
        self.stopping.set()
        stop_processes(self.procs)


def stop_processes(procs: list[subprocess.Popen], timeout: float = 10) -> None:
    """SIGTERM every process, then wait up to ``timeout`` seconds for each and kill what is still running."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_all(config: Config, port: int, workers: int = 1, dev: bool = False) -> int:
    """Migrate, start worker(s) and the scheduler, and serve the web app (gunicorn, or Flask's development
    server with ``dev``) until SIGTERM or Ctrl-C; then stop the children and the embedded Redis."""
    from hub.app import create_app
    from hub.db.migrate import upgrade
    from hub.runtime import Hub
    from hub.sync import commands

    upgrade(config.resolved_database_url())
    embedded = not config.redis_url
    hub = Hub(config).activate()
    config.redis_url, config.database_url = hub.redis_url, config.resolved_database_url()
    config.resolved_secret_key()
    children = Children([["worker"]] * workers + [["scheduler"]], dict(os.environ, **config.to_env()))
    commands.reconcile_soon(hub)

    def stop(*_):
        sys.exit(0)  # unwinds to the finally below (the development server's way out)

    server = "development server" if dev else "gunicorn"
    print(f"Returnhub on http://127.0.0.1:{port}/ ({server}; worker x{workers} + scheduler running)", flush=True)
    try:
        if dev:
            signal.signal(signal.SIGTERM, stop)
            create_app(hub=hub).run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)
        else:
            from hub.web_server import gunicorn_options, serve
            serve(lambda: create_app(hub=hub), gunicorn_options(config, "127.0.0.1", port))
    except KeyboardInterrupt:
        pass
    finally:
        children.stop()
        if embedded:
            from hub.embedded import stop_embedded_redis
            stop_embedded_redis(hub.redis_url)
    return 0
