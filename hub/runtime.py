"""The Hub: one process's configuration, database, plugin registry, Redis and queue, built once."""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import cached_property

import redis as redis_lib
from rq import Queue
from rq.serializers import JSONSerializer

from hub import metrics
from hub.config import Config
from hub.db import Database
from hub.plugins import Registry, load_plugins
from hub.secrets import SecretBox

_current: Hub | None = None


class Hub:
    """Everything jobs, the web app and the CLI share; ``hub.runtime.current()`` gives the active one."""

    def __init__(self, config: Config, registry: Registry | None = None):
        self.config = config
        self.db = Database(config.resolved_database_url(), threads=config.concurrency)
        self.registry = registry or load_plugins(
            allow=config.plugins, block=config.disable_plugins, strict=config.strict_plugins)
        self.box = SecretBox(config.resolved_secret_key())
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self.db.engine.dispose(close=False)
        self.__dict__.pop("redis", None)
        self.__dict__.pop("webhook_subscriptions", None)

    @cached_property
    def redis_url(self) -> str:
        if self.config.redis_url:
            return self.config.redis_url
        from hub.embedded import start_embedded_redis
        self.config.redis_url = start_embedded_redis(os.path.join(self.config.instance_path, "redis"))
        return self.config.redis_url

    @cached_property
    def redis(self) -> redis_lib.Redis:
        return redis_lib.Redis.from_url(self.redis_url)

    @cached_property
    def webhook_subscriptions(self):
        """The process cache of which webhook events each connection's merchant wants (see the module)."""
        from hub.webhooks_out.subscriptions import SubscriptionCache
        return SubscriptionCache(lambda: self.redis)

    @property
    def queue(self) -> Queue:
        return Queue(self.config.queue_name, connection=self.redis, serializer=JSONSerializer)

    @contextmanager
    def session(self):
        """A database transaction; transitions recorded in it are announced to plugins after commit."""
        with self.db.session() as session:
            session.info["hub"] = self
            yield session
            pending = session.info.pop("transitions", [])
        if pending:
            metrics.count_transitions(self.redis, pending)
        if pending and self.registry.pm.hook.returnhub_return_transition.get_hookimpls():
            self._announce(pending)

    def _announce(self, pending) -> None:
        """Hand committed transitions to the plugins observing them, each return as a canonical Return."""
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from hub.db import ReturnRow
        from hub.sync.records import to_canonical
        with self.db.session() as session:
            rows = session.scalars(select(ReturnRow).where(ReturnRow.id.in_({rid for rid, _ in pending}))
                                   .options(selectinload(ReturnRow.lines)))
            returns = {row.id: to_canonical(row) for row in rows}
        for return_id, event in pending:
            if return_id in returns:
                self.registry.notify_transition(returns[return_id], event)

    def activate(self) -> Hub:
        global _current
        _current = self
        return self


def current() -> Hub:
    """The Hub of this process (set by the worker, the app factory and tests)."""
    if _current is None:
        return Hub(Config.from_env()).activate()
    return _current
