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


def test_the_old_30_second_schedule_ran_dry_within_a_quarter_hour(hub, fake_clock):
    dry = _polls_until_dry(hub, fake_clock, 30, "createReport")
    assert dry is not None and dry * 30 < 15 * 60
