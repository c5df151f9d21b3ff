"""The emulator toolkit's app builder over real loopback HTTP: the ledger, every fault kind, and per-endpoint
rate limits whose buckets refill only as hub.clock moves."""
from __future__ import annotations

import threading

import httpx
import pytest
from flask import jsonify, request

from hub import clock
from hub.testing.emulation import EmulatorApp


@pytest.fixture
def fake():
    with clock.use(clock.FakeClock()) as c:
        yield c


def make_emulator():
    emu = EmulatorApp(__name__)
    orders: list[dict] = []
    emu.app.extensions["orders"] = orders

    @emu.app.get("/orders")
    def list_orders():
        return jsonify(orders=orders)

    @emu.app.post("/orders")
    def add_order():
        orders.append(request.get_json())
        return jsonify(created=len(orders)), 201

    return emu


@pytest.fixture
def served():
    emu = make_emulator()
    server = emu.serve()
    client = httpx.Client(base_url=server.url, timeout=10, trust_env=False)
    yield emu, client
    client.close()
    server.stop()


def test_ledger_records_each_api_request_with_status_and_answer_but_not_hooks_or_secrets(served):
    emu, client = served
    client.post("/orders", json={"id": "A1"}, headers={"Authorization": "Bearer s3cret"})
    client.get("/orders", params={"page": "2"})
    client.get("/_emulator/requests")
    posted, listed = emu.ledger.entries
    assert (posted.method, posted.path, posted.body, posted.status) == ("POST", "/orders", {"id": "A1"}, 201)
    assert posted.headers["Authorization"] == "***"
    assert (listed.query, listed.status, listed.response) == ({"page": ["2"]}, 200, {"orders": [{"id": "A1"}]})
    assert [e.method for e in emu.ledger.find(path="/orders")] == ["POST", "GET"]
    assert client.get("/_emulator/requests").json()["requests"][0]["body"] == {"id": "A1"}


def test_injected_429_carries_retry_after_then_the_emulator_answers_again(served):
    emu, client = served
    client.post("/_emulator/faults", json={"status": 429, "retry_after": 7, "count": 1})
    first, second = client.get("/orders"), client.get("/orders")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 200
    assert [s.injected for s in emu.faults.seen] == [True, False]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_5xx_only_for_the_matching_path_and_method(served, status):
    emu, client = served
    emu.faults.inject(status, count=1, path="/orders", method="POST")
    assert client.get("/orders").status_code == 200
    assert client.post("/orders", json={}).status_code == status
    assert emu.app.extensions["orders"] == []  # the injected answer never reached the emulator


def test_latency_is_waited_through_the_clock_so_a_fake_clock_takes_no_real_time(served, fake):
    emu, client = served
    emu.faults.delay(42.0, count=1)
    assert client.get("/orders").status_code == 200
    assert fake.slept == [42.0]
    assert emu.faults.seen[0].fault == "latency"


def test_drop_commits_the_effect_and_closes_the_connection_unanswered(served):
    emu, client = served
    client.post("/_emulator/faults", json={"kind": "drop", "path": "/orders", "method": "POST"})
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/orders", json={"id": "LOST-ANSWER"})
    assert emu.app.extensions["orders"] == [{"id": "LOST-ANSWER"}]  # committed before the drop
    assert client.get("/orders").json() == {"orders": [{"id": "LOST-ANSWER"}]}


def test_unknown_fault_kind_is_refused(served):
    _, client = served
    assert client.post("/_emulator/faults", json={"kind": "gremlins"}).status_code == 400


def test_rate_limit_per_endpoint_refills_only_when_the_fake_clock_advances(served, fake):
    emu, client = served
    emu.limit("GET /orders", requests=2, per_seconds=10)
    assert [client.get("/orders").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/orders")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "5")
    assert client.post("/orders", json={}).status_code == 201  # another endpoint, no limit
    fake.advance(4.9)
    assert client.get("/orders").status_code == 429
    fake.advance(0.1)
    assert client.get("/orders").status_code == 200
    assert client.get("/orders").status_code == 429


def test_a_global_limit_counts_every_endpoint(served, fake):
    emu, client = served
    emu.limit("*", requests=1, per_seconds=1)
    assert client.get("/orders").status_code == 200
    assert client.post("/orders", json={}).status_code == 429
    fake.advance(1)
    assert client.post("/orders", json={}).status_code == 201


def test_buckets_are_safe_under_concurrent_requests(served, fake):
    emu, client = served
    emu.limit("GET /orders", requests=5, per_seconds=100)
    codes = []

    def hit():
        with httpx.Client(base_url=str(client.base_url), timeout=10, trust_env=False) as own:
            codes.append(own.get("/orders").status_code)
    threads = [threading.Thread(target=hit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes).count(200) == 5 and codes.count(429) == 7


pytest_plugins = ["hub.testing.kit.plugin"]


def test_the_kit_runner_reuses_the_toolkits_injector(emulator_runner):
    from hub.adapters import Emulator
    running = emulator_runner(Emulator(slug="toolkit", create_app=lambda demo=False: make_emulator().app,
                                       settings=lambda url: {"base_url": url}))
    assert running.faults is running.app.extensions["emulation"].faults
    running.faults.inject(503, count=1)
    with httpx.Client(base_url=running.url, trust_env=False, timeout=10) as client:
        assert client.get("/orders").status_code == 503
        assert client.get("/orders").status_code == 200
    assert [e.status for e in running.app.extensions["emulation"].ledger.entries] == [200]
