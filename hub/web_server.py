"""Serving the web app through gunicorn (a production WSGI server): workers, threads, timeouts and a
graceful stop from the settings. ``returnhub web`` and ``returnhub up`` use it; ``--dev`` uses Flask's."""
from __future__ import annotations

from collections.abc import Callable

from hub.config import Config


def gunicorn_options(config: Config, host: str, port: int) -> dict:
    """gunicorn settings from the Returnhub configuration."""
    return {
        "bind": f"{host}:{port}",
        "workers": config.web_workers,
        "threads": config.web_threads,
        "worker_class": "gthread",
        "timeout": config.web_timeout,
        "graceful_timeout": config.web_graceful_timeout,
        "keepalive": 5,
        "accesslog": "-" if config.access_log else None,
        "errorlog": "-",
        "proc_name": "returnhub-web",
        "forwarded_allow_ips": "*" if config.trusted_proxies else "127.0.0.1",
        "post_fork": _post_fork,
        "control_socket_disable": True,  # gunicorn >= 24: no shared ~/.gunicorn/gunicorn.ctl between instances
    }


def _post_fork(server, worker) -> None:
    from hub.embedded import forget_inherited
    forget_inherited()  # the embedded Redis belongs to the master; a worker's exit must not stop it


def serve(app_factory: Callable, options: dict) -> None:
    """Run gunicorn until it is stopped (SIGTERM: graceful, SIGINT: quick); each worker calls
    ``app_factory`` after the fork, so database and Redis connections are never shared."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if value is not None and key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self):
            return app_factory()

    _Server().run()
