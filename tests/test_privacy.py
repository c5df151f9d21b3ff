"""Personal data: closed returns anonymised after the retention, one customer erased by e-mail through
the UI, the API and the CLI, and neither logs nor job data carrying addresses."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from sqlalchemy import select
from test_pipeline import decide_all, seed
from test_web import import_returns, post, signed_in

from hub import clock
from hub.api_tokens import create_token
from hub.app import create_app
from hub.db import Connection, ReturnEvent, ReturnLine, ReturnRow, StatsDay, StatsReason
from hub.housekeeping import housekeeping
from hub.privacy import anonymise_closed, erase_customer
from hub.sync import jobs

PERSONAL = ("Customer 1", "customer1@example.com", "Kerkstraat", "1017 GC")


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def personal_data_of(hub, external_id: str) -> str:
    """Everything stored for one return and its lines, as text (where personal data would show)."""
    with hub.session() as s:
        row = s.scalar(select(ReturnRow).where(ReturnRow.external_id == external_id))
        lines = list(s.scalars(select(ReturnLine).where(ReturnLine.return_id == row.id)))
        return json.dumps([row.customer, row.invoice_address, row.raw, row.search_name,
                           [(line.customer_comment, line.raw) for line in lines]], default=str)


def figures(hub):
    with hub.session() as s:
        return [sorted(map(tuple, s.execute(select(model.__table__)).all())) for model in (StatsDay, StatsReason)]


def decisions(hub):
    with hub.session() as s:
        return sorted(map(tuple, s.execute(select(ReturnLine.external_line_id, ReturnLine.decision,
                                                  ReturnLine.quantity, ReturnLine.decision_quantity)).all()))


def test_closed_returns_anonymised_after_retention(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=2)
    jobs.poll_marketplace(cid)
    drain()
    decide_all(shop_emu, "accepted")
    jobs.poll_decisions(cid)
    drain()
    seed_open = [r for r in seed(market_emu, shop_emu, count=3)][2:]  # R3 stays open (in the shop)
    jobs.poll_marketplace(cid)
    drain()
    assert seed_open and "Kerkstraat" in personal_data_of(hub, "R1")
    before_figures, before_decisions = figures(hub), decisions(hub)

    assert anonymise_closed(hub) == 0, "nothing is due before the retention has passed"
    with clock.use(clock.FakeClock()) as fake:
        fake.advance(hub.config.personal_data_days * 86400 + 3600)
        assert housekeeping()["anonymised"] == 2
        assert anonymise_closed(hub) == 0, "already anonymised returns are skipped"
    for external_id in ("R1", "R2"):
        text = personal_data_of(hub, external_id)
        assert not any(p in text for p in ("Customer", "example.com", "Kerkstraat", "1017")), text
    assert "Kerkstraat" in personal_data_of(hub, "R3"), "an open return keeps its data"
    assert figures(hub) == before_figures and decisions(hub) == before_decisions
    with hub.session() as s:
        row = s.scalar(select(ReturnRow).where(ReturnRow.external_id == "R1"))
        assert row.state == "pushed" and row.anonymised_at is not None
        last = s.scalars(select(ReturnEvent).where(ReturnEvent.return_id == row.id).order_by(ReturnEvent.id)).all()[-1]
        assert last.actor == "retention" and "personal data removed" in last.detail
        assert "Customer" not in last.detail and "example.com" not in last.detail


def _erased(hub, external_id: str) -> bool:
    return "customer" not in personal_data_of(hub, external_id).lower()


def test_erase_one_customer_by_email_ui_api_cli(app, hub, make_connection, market_emu, shop_emu, drain, config):
    cid = make_connection(merchant="Merchant A")
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2, 3])
    client = signed_in(app, hub)
    assert "Erase a customer" in client.get("/privacy/").get_data(as_text=True)

    # UI (any case), the other customers untouched
    response = post(client, "/privacy/erase", {"email": "Customer1@Example.com"}, page="/privacy/")
    assert response.status_code == 302
    assert "erased from 1 return" in client.get("/privacy/").get_data(as_text=True)
    assert _erased(hub, "R1") and not _erased(hub, "R2") and not _erased(hub, "R3")
    with hub.session() as s:
        row = s.scalar(select(ReturnRow).where(ReturnRow.external_id == "R1"))
        assert row.state == "in_shop" and len(row.lines) == 1
        event = s.scalars(select(ReturnEvent).where(ReturnEvent.return_id == row.id).order_by(ReturnEvent.id)).all()[-1]
        assert event.actor == "merchant:a@example.com" and event.detail == "personal data erased at the customer's request"
    page = client.get(f"/returns/{row.id}").get_data(as_text=True)
    assert "personal data erased" in page and "customer1@example.com" not in page.lower()
    assert post(client, "/privacy/erase", {"email": "not-an-address"}, page="/privacy/").status_code == 302
    assert "Enter the customer" in client.get("/privacy/").get_data(as_text=True)

    # API
    with hub.session() as s:
        merchant_id = s.scalar(select(Connection.merchant_id).where(Connection.id == cid))
    _, token = create_token(hub, merchant_id, "privacy", ["returns:write"])
    api = app.test_client()
    answer = api.post("/api/v1/customers/erase", json={"email": "customer2@example.com"},
                      headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json == {"erased_returns": 1}
    assert _erased(hub, "R2") and not _erased(hub, "R3")
    assert api.post("/api/v1/customers/erase", json={"email": "nope"},
                    headers={"Authorization": f"Bearer {token}"}).status_code == 422
    _, reader = create_token(hub, merchant_id, "reader", ["returns:read"])
    assert api.post("/api/v1/customers/erase", json={"email": "customer3@example.com"},
                    headers={"Authorization": f"Bearer {reader}"}).status_code == 403

    # CLI
    env = dict(os.environ, **config.to_env())
    out = subprocess.run([sys.executable, "-m", "hub.cli", "erase-customer", "--merchant", "Merchant A",
                          "--email", "customer3@example.com"], env=env, capture_output=True, text=True, check=True)
    assert "erased from 1 return" in out.stdout
    assert _erased(hub, "R3")


def test_erasure_is_scoped_to_the_merchant(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection(merchant="Merchant A")
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    with hub.session() as s:
        other = s.scalar(select(Connection.merchant_id).where(Connection.id == cid)) + 1000
    assert erase_customer(hub, other, "customer1@example.com", "cli") == 0
    assert not _erased(hub, "R1")


def test_logs_and_job_data_never_carry_addresses(hub, make_connection, market_emu, shop_emu, caplog):
    from hub.sync import queueing
    from hub.sync.pipeline import Job
    from hub.sync.worker import run_worker
    caplog.set_level(logging.DEBUG)
    cid = make_connection()
    seed(market_emu, shop_emu, count=2)
    queueing.enqueue(hub, Job.POLL_MARKETPLACE, cid)
    jobs_seen = []
    for _ in range(5):  # run the queue through a real worker, reading every job's stored data before it runs
        for job in hub.queue.jobs:
            jobs_seen.append(json.dumps([job.func_name, job.args, job.kwargs, job.meta], default=str))
        if not run_worker(hub, burst=True) and not hub.queue.jobs:
            break
    assert "Kerkstraat" in personal_data_of(hub, "R1"), "the pipeline ran"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for value in PERSONAL:
        assert value not in logged, f"a log line carries {value!r}"
        assert not any(value in job for job in jobs_seen), f"job data carries {value!r}"
