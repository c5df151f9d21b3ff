"""The demo's marketplace schedule against the plugins' default quotas: Amazon's report operations must
not run dry (the demo Amazon connection turned red with "rate limit: no request slot within 30 s")."""
from __future__ import annotations

import pytest

from hub.demo import DEMO_POLL_SECONDS
from hub.errors import TransientError
from hub.http import RateLimiter

amazon_settings = pytest.importorskip("returnhub_amazon.settings")
REPORT_STREAMS = 2  # merchant-fulfilled and Amazon-fulfilled returns: one createReport and one document each


def _polls_until_dry(hub, fake_clock, interval: float, operation: str, minutes: int = 60) -> int | None:
    """Demo polls every ``interval`` s for ``minutes`` through Amazon's default bucket of ``operation``;
    the poll that found no slot within the core's 30 s, or None."""
    defaults = amazon_settings.AmazonSettings().load({"lwa_client_id": "x", "lwa_client_secret": "x",
                                                       "refresh_token": "x", "marketplace_ids": ["A1"]})
    limiter = RateLimiter(hub.redis, f"demo-schedule:{operation}:{interval}",
                          **amazon_settings.operation_rate_limit(defaults, operation))
    for poll in range(int(minutes * 60 // interval)):
        for _ in range(REPORT_STREAMS):
            try:
                limiter.acquire(timeout=30)
            except TransientError:
                return poll
        fake_clock.advance(interval)
    return None


@pytest.mark.parametrize("operation", ["createReport", "getReportDocument"])
def test_the_demo_schedule_stays_within_amazons_default_report_quotas(hub, fake_clock, operation):
    assert _polls_until_dry(hub, fake_clock, DEMO_POLL_SECONDS, operation) is None


@pytest.mark.parametrize("operation", ["createReport", "getReportDocument"])
def test_a_poll_spends_no_more_than_its_interval_refills(operation):
    """The arithmetic behind the schedule: two report calls a poll against Amazon's default rate; the old
    30 s demo schedule asked four a minute of a bucket refilled with one."""
    prefix = amazon_settings.RATE_LIMITED_OPERATIONS[operation]
    rate = amazon_settings.AmazonSettings().fields[f"{prefix}_rate"].load_default
    assert rate * 1.01 >= REPORT_STREAMS / DEMO_POLL_SECONDS
    assert 3 * rate < REPORT_STREAMS / 30
