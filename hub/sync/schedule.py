"""The schedules, on RQ's cron scheduler: marketplace polls, decision polls, the reconciler and upkeep."""
from __future__ import annotations

from rq import Queue
from rq.cron import CronJob, CronScheduler
from rq.serializers import JSONSerializer

from hub.db.statistics import REFRESH_SECONDS
from hub.housekeeping import INTERVAL_SECONDS as HOUSEKEEPING_SECONDS
from hub.housekeeping import housekeeping
from hub.sync import jobs
from hub.sync.spread import tick_seconds
from hub.webhooks_out.delivery import SWEEP_SECONDS, deliver_webhooks


class JSONCronJob(CronJob):
    """A cron job enqueued with RQ's JSON serializer, like every other Returnhub job (no pickle)."""

    def enqueue(self, connection):
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        job = queue.enqueue(self.func, args=self.args, kwargs=self.kwargs, **self.job_options)
        return job


class HubCronScheduler(CronScheduler):
    def register(self, *args, **kwargs) -> CronJob:
        cron_job = super().register(*args, **kwargs)
        cron_job.__class__ = JSONCronJob
        return cron_job


def build_scheduler(hub) -> CronScheduler:
    """A cron scheduler with the schedules: marketplace polls, decision polls (each connection once per
    interval, spread over it: ``hub.sync.spread``), the reconciler, the outgoing-webhook sweep (new
    events and due retries) and the planner statistics."""
    scheduler = HubCronScheduler(connection=hub.redis, name=f"returnhub-{hub.config.queue_name}")
    config = hub.config
    scheduler.register(jobs.poll_due_marketplaces, config.queue_name, interval=tick_seconds(config.poll_interval))
    scheduler.register(jobs.poll_due_decisions, config.queue_name, interval=tick_seconds(config.decision_interval))
    scheduler.register(jobs.reconcile, config.queue_name, interval=config.reconcile_interval)
    scheduler.register(deliver_webhooks, config.queue_name, interval=SWEEP_SECONDS)
    scheduler.register(jobs.refresh_statistics, config.queue_name, interval=REFRESH_SECONDS)
    scheduler.register(housekeeping, config.queue_name, interval=HOUSEKEEPING_SECONDS)
    return scheduler
