"""Runs a platform emulator (a WSGI app) on a free loopback port in a background thread."""
from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: emulators answer thousands in a benchmark."""

    def log_request(self, *args, **kwargs):
        pass

    def make_environ(self):
        """Keep header names with underscores (Walmart's ``WM_SEC.ACCESS_TOKEN``), which werkzeug drops."""
        environ = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ.setdefault(f"HTTP_{key.upper().replace('-', '_')}", value.replace("\r\n", ""))
        return environ


SHUTDOWN_POLL_SECONDS = 0.02


class EmulatorServer:
    """``with EmulatorServer(app) as emu: emu.url`` — a real HTTP server on 127.0.0.1.

    Its loop looks for ``stop()`` every ``SHUTDOWN_POLL_SECONDS`` (werkzeug's 0.5 s default would add half a
    second to every test's teardown); requests are answered at once either way.
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
