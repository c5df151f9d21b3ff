"""hub.http over real loopback HTTP and a real Redis: address guard, retries, rate limit, redaction.

No test sends anything to a non-loopback address: for those only the decision is tested.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time

import flask
import httpx
import pytest

from hub import clock
from hub.errors import AddressNotAllowed, AuthError, PermanentError, TransientError
from hub.http import (
    AddressGuard,
    ClientFactory,
    RateLimiter,
    Redactor,
    is_public_address,
    parse_retry_after,
    per_minute,
    raise_for_status,
)
from hub.testing.emulator import EmulatorServer

LOCAL = ["127.0.0.1"]


def make_emulator_app() -> flask.Flask:
    """A platform stand-in that records every hit (path, method, monotonic time of the clock in force)."""
    app = flask.Flask(__name__)
    app.hits = []
    app.throttled = threading.Event()

    def hits_here() -> int:
        return len([h for h in app.hits if h[0] == flask.request.path])

    @app.before_request
    def record():
        app.hits.append((flask.request.path, flask.request.method, clock.monotonic()))

    @app.route("/ok", methods=["GET", "POST"])
    def ok():
        return "ok"

    @app.route("/echo")
    def echo():
        response = flask.jsonify(host=flask.request.host, query=flask.request.query_string.decode())
        response.set_cookie("session", "cookie-s3cret")
        return response

    @app.route("/status/<int:code>", methods=["GET", "POST"])
    def status(code):
        return flask.Response("went wrong " * 50, status=code)

    @app.route("/flaky/<int:failures>")
    def flaky(failures):
        return ("busy", 503) if hits_here() <= failures else "ok"

    @app.route("/limited/<retry_after>", methods=["GET", "POST"])
    def limited(retry_after):
        if hits_here() > 1:
            return "ok"
        app.throttled.set()
        return flask.Response("slow down", status=429, headers={"Retry-After": retry_after})

    @app.route("/slow", methods=["GET", "POST"])
    def slow():
        time.sleep(float(flask.request.args.get("s", "0.5")))
        return "late"

    @app.route("/redirect")
    def redirect():
        return flask.redirect("/ok", 302)

    return app


@pytest.fixture(scope="module")
def emulator():
    with EmulatorServer(make_emulator_app()) as server:
        yield server


@pytest.fixture
def emu(emulator):
    """The module's emulator with its hit record and throttle flag reset."""
    emulator.app.hits.clear()
    emulator.app.throttled.clear()
    return emulator


def hits(emu, path: str) -> list[float]:
    return [at for p, _, at in emu.app.hits if p == path]


class FakeSleep(list):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def fast_factory():
    factory = ClientFactory(allow_local=LOCAL, timeout=2.0, retries=3)
    factory.sleep = FakeSleep()
    return factory


@pytest.fixture
def fake_dns(monkeypatch):
    """Names ending in .test resolve through ``table`` (a name -> list of IPs or an exception)."""
    real = socket.getaddrinfo
    table: dict = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            answer = table[host]() if callable(table[host]) else table[host]
            return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (ip, port)) for ip in answer]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


# --- decisions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "10.0.0.1", "172.16.0.1", "192.168.1.1", "127.0.0.1", "127.0.0.2", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12::1", "fec0::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:1::1", "2002:a00:1::1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::1",
])
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8",
    "2002:808:808::1", "64:ff9b::808:808",
])
def test_public_addresses_are_allowed(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("url", [
    "http://127.0.0.2:8080/", "http://[::1]:8080/", "http://2130706433:8080/", "http://0x7f000001/",
    "http://127.1/", "http://0177.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
    "http://localhost/", "file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://127.0.0.1/",
    "http:///nohost",
])
def test_guard_refuses_loopback_forms_and_other_schemes(url):
    with pytest.raises(AddressNotAllowed):
        AddressGuard(allow_local=LOCAL).resolve(url)


def test_guard_judges_every_resolved_address(fake_dns):
    fake_dns.update({"internal.test": ["10.0.0.1"], "mixed.test": ["93.184.215.14", "10.0.0.1"],
                     "public.test": ["93.184.215.14", "2606:4700:4700::1111"],
                     "metadata.test": ["::ffff:169.254.169.254"]})
    guard = AddressGuard()
    for host in ("internal", "mixed", "metadata"):
        with pytest.raises(AddressNotAllowed):
            guard.resolve(f"https://{host}.test/api")
    assert guard.resolve("https://public.test/api") == [
        ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("2606:4700:4700::1111")]


def test_allow_local_is_an_exact_host_match():
    guard = AddressGuard(allow_local=["127.0.0.1", "[::1]"])
    assert guard.resolve("http://127.0.0.1:9/") == [ipaddress.ip_address("127.0.0.1")]
    assert guard.resolve("http://[::1]:9/") == [ipaddress.ip_address("::1")]
    with pytest.raises(AddressNotAllowed):
        guard.resolve("http://2130706433:9/")  # the same loopback, but not the allowed spelling


# --- requests through the guard ------------------------------------------------------------------

def test_requests_to_refused_loopback_forms_never_arrive(emu, fast_factory):
    port = emu.port
    with fast_factory(emu.url) as client:
        for url in (f"http://127.0.0.2:{port}/ok", f"http://[::1]:{port}/ok",
                    f"http://2130706433:{port}/ok", f"http://0x7f000001:{port}/ok",
                    f"http://127.1:{port}/ok", f"http://localhost:{port}/ok",
                    f"gopher://127.0.0.1:{port}/ok"):
            with pytest.raises(AddressNotAllowed):
                client.get(url)
        assert client.get("/ok").status_code == 200
    assert len(hits(emu, "/ok")) == 1
    assert fast_factory.sleep == []  # refusals are not retried


def test_connection_goes_to_the_checked_address(emu, fake_dns):
    """DNS rebinding: the name answers loopback once, then nothing; the request still lands."""
    answers = iter([["127.0.0.1"]])

    def rebinding():
        try:
            return next(answers)
        except StopIteration:
            raise socket.gaierror("the name changed") from None

    fake_dns["rebind.test"] = rebinding
    factory = ClientFactory(allow_local=["rebind.test"], retries=0)
    with factory(f"http://rebind.test:{emu.port}") as client:
        response = client.get("/echo")
    assert response.json()["host"] == f"rebind.test:{emu.port}"
    assert str(response.url) == f"http://rebind.test:{emu.port}/echo"


def test_https_is_pinned_with_sni(fake_dns, monkeypatch):
    """The socket targets the checked IP while TLS verifies the name (nothing is sent)."""
    fake_dns["shop.test"] = ["127.0.0.1"]
    seen = []
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request",
                        lambda self, request: seen.append(request) or httpx.Response(204))
    with ClientFactory(allow_local=["shop.test"])("https://shop.test") as client:
        assert client.get("/api").status_code == 204
    assert str(seen[0].url) == "https://127.0.0.1/api"
    assert seen[0].headers["Host"] == "shop.test"
    assert seen[0].extensions["sni_hostname"] == "shop.test"


def test_redirects_are_not_followed(emu, fast_factory):
    with fast_factory(emu.url) as client:
        response = client.get("/redirect")
    assert response.status_code == 302
    raise_for_status(response)
    assert hits(emu, "/ok") == []


# --- retries -----------------------------------------------------------------------------------

def test_5xx_then_success_retries_exactly(emu, fast_factory):
    with fast_factory(emu.url) as client:
        assert client.get("/flaky/2").status_code == 200
    assert len(hits(emu, "/flaky/2")) == 3
    assert len(fast_factory.sleep) == 2
    assert all(0 <= wait <= 0.5 * 2 ** n for n, wait in enumerate(fast_factory.sleep))


def test_persistent_5xx_is_retried_then_returned(emu, fast_factory):
    with fast_factory(emu.url) as client:
        response = client.get("/status/500")
    assert len(hits(emu, "/status/500")) == 4
    with pytest.raises(TransientError) as caught:
        raise_for_status(response)
    assert caught.value.status == 500


def test_post_is_retried_on_503_but_not_on_500(emu, fast_factory):
    with fast_factory(emu.url) as client:
        assert client.post("/status/500").status_code == 500
        assert client.post("/status/503").status_code == 503
    assert len(hits(emu, "/status/500")) == 1
    assert len(hits(emu, "/status/503")) == 4


@pytest.mark.parametrize("code, error", [(401, AuthError), (403, AuthError), (404, PermanentError)])
def test_client_errors_are_not_retried(emu, fast_factory, code, error):
    with fast_factory(emu.url) as client:
        response = client.get(f"/status/{code}")
    assert len(hits(emu, f"/status/{code}")) == 1
    with pytest.raises(error):
        raise_for_status(response)


def test_read_timeout_retries_idempotent_methods_only(emu):
    factory = ClientFactory(allow_local=LOCAL, timeout=0.15, retries=2)
    factory.sleep = FakeSleep()
    with factory(emu.url) as client:
        with pytest.raises(TransientError) as caught:
            client.get("/slow", params={"s": "0.5"})
        assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
        assert len(hits(emu, "/slow")) == 3
        with pytest.raises(TransientError):
            client.post("/slow", params={"s": "0.5"})
        assert len(hits(emu, "/slow")) == 4
        with pytest.raises(TransientError):
            client.post("/slow", params={"s": "0.5"}, extensions={"returnhub_retry": True})
        assert len(hits(emu, "/slow")) == 7
        with pytest.raises(TransientError):
            client.get("/slow", params={"s": "0.5"}, extensions={"returnhub_retry": False})
        assert len(hits(emu, "/slow")) == 8


def test_connect_errors_are_retried_even_for_post(fast_factory):
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fast_factory.retries = 2
    with fast_factory(f"http://127.0.0.1:{port}") as client, pytest.raises(TransientError) as caught:
        client.post("/returns", json={"id": 1})
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(fast_factory.sleep) == 2


def test_retry_after_is_honoured(emu, fast_factory):
    with fast_factory(emu.url) as client:
        assert client.post("/limited/2").status_code == 200
    assert fast_factory.sleep == [2.0]
    assert len(hits(emu, "/limited/2")) == 2


def test_retry_after_beyond_the_maximum_is_handed_to_the_caller(emu, fast_factory):
    with fast_factory(emu.url) as client:
        response = client.get("/limited/120")
    assert len(hits(emu, "/limited/120")) == 1
    assert fast_factory.sleep == []
    with pytest.raises(TransientError) as caught:
        raise_for_status(response)
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)


# --- answers -----------------------------------------------------------------------------------

def test_parse_retry_after():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412450) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412500) == 0.0
    for invalid in (None, "", "soon", "-1", "1e9"):
        assert parse_retry_after(invalid) is None


def test_raise_for_status_classifies_and_describes():
    request = httpx.Request("PUT", "https://shop.test/api/returns/7?token=zzz")
    for code in (200, 204, 302):
        raise_for_status(httpx.Response(code, request=request))
    with pytest.raises(TransientError) as caught:
        raise_for_status(httpx.Response(503, request=request, headers={"Retry-After": "7"},
                                        text="maintenance " * 100))
    assert (caught.value.status, caught.value.retry_after) == (503, 7.0)
    message = str(caught.value)
    assert message.startswith("PUT /api/returns/7 -> 503: maintenance")
    assert "zzz" not in message and len(message) <= len("PUT /api/returns/7 -> 503: ") + 200
    with pytest.raises(PermanentError):
        raise_for_status(httpx.Response(422, request=request, text="bad"))


def test_raise_for_status_takes_the_platform_s_own_description_and_keeps_the_class():
    request = httpx.Request("POST", "https://market.test/orders/return")

    def describe(response):
        return f"market says: {response.text}"
    raise_for_status(httpx.Response(200, request=request), describe=describe)
    with pytest.raises(TransientError) as caught:
        raise_for_status(httpx.Response(429, request=request, headers={"Retry-After": "3"}, text="slow down"),
                         describe=describe)
    assert (str(caught.value), caught.value.retry_after, caught.value.status) == ("market says: slow down", 3.0, 429)
    with pytest.raises(AuthError, match="^market says: who are you$"):
        raise_for_status(httpx.Response(401, request=request, text="who are you"), describe=describe)
    assert per_minute(None) == {"requests": 60, "per_seconds": 60} and per_minute("30")["requests"] == 30


# --- rate limit --------------------------------------------------------------------------------

class _BucketEmpty(Exception):
    """Raised instead of waiting: on a stopped fake clock a wait would be the bucket saying 'empty'."""


def _stop_when_empty(seconds: float) -> None:
    raise _BucketEmpty(seconds)


def _hammer_until_empty(clients, count_each: int = 1000) -> None:
    """Each client sends from its own thread until its limiter would have to wait."""
    def hammer(client):
        with pytest.raises(_BucketEmpty):
            for _ in range(count_each):
                client.get("/ok")

    workers = [threading.Thread(target=hammer, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_two_clients_sharing_a_key_never_exceed_the_rate(emu, redis_conn, fake_clock):
    """5 at once, then 10/s, counted in tokens: with time stopped both clients together get exactly 5
    requests through; a quarter of a second later exactly 2 more (10/s x 0.25 s = 2.5 tokens), and a
    full bucket holds 5 however long it rested (no arrival times, so no machine-speed luck)."""
    limit = {"requests": 5, "per_seconds": 0.5}
    factories = [ClientFactory(redis=redis_conn, limiter_key="conn:1", rate_limit=limit, allow_local=LOCAL)
                 for _ in range(2)]
    for factory in factories:
        factory.limiter.sleep = _stop_when_empty
    clients = [factory(emu.url) for factory in factories]
    try:
        _hammer_until_empty(clients)
        assert len(hits(emu, "/ok")) == 5
        fake_clock.advance(0.25)  # a power of two: exact on any float clock
        _hammer_until_empty(clients)
        assert len(hits(emu, "/ok")) == 5 + 2
        fake_clock.advance(60)
        _hammer_until_empty(clients)
        assert len(hits(emu, "/ok")) == 5 + 2 + 5
    finally:
        for client in clients:
            client.close()


def test_pause_blocks_every_limiter_of_the_key(redis_conn, fake_clock):
    first = RateLimiter(redis_conn, "conn:2", requests=100, per_seconds=1)
    second = RateLimiter(redis_conn, "conn:2", requests=100, per_seconds=1)
    other = RateLimiter(redis_conn, "conn:3", requests=100, per_seconds=1)
    first.pause(0.5)
    other.acquire(timeout=0.1)
    assert fake_clock.slept == []  # another key is not paused
    second.acquire()
    assert sum(fake_clock.slept) == pytest.approx(0.5, abs=1e-3)


def test_acquire_gives_up_at_its_timeout(redis_conn, fake_clock):
    limiter = RateLimiter(redis_conn, "conn:4", requests=1, per_seconds=1)
    limiter.pause(30)
    with pytest.raises(TransientError) as caught:
        limiter.acquire(timeout=0.2)
    assert fake_clock.slept == []  # a wait past the timeout is not even begun
    assert 29 < caught.value.retry_after <= 30


def test_429_with_retry_after_holds_off_every_worker(emu, redis_conn, fake_clock):
    """After a 429 with Retry-After: 1 neither the client nor another worker sends for 1 s."""
    limit = {"requests": 100, "per_seconds": 1}

    def factory():
        return ClientFactory(redis=redis_conn, limiter_key="conn:5", rate_limit=limit,
                             allow_local=LOCAL)

    throttled, other = factory(), factory()

    def wait_while_another_worker_sends(seconds):
        assert emu.app.throttled.is_set()
        with other(emu.url) as client:
            client.get("/ok")
        fake_clock.sleep(seconds)

    throttled.sleep = wait_while_another_worker_sends
    with throttled(emu.url) as client:
        assert client.get("/limited/1").status_code == 200
    throttled_at, retried_at = hits(emu, "/limited/1")
    assert retried_at - throttled_at >= 1.0 - 1e-3
    assert hits(emu, "/ok")[0] - throttled_at >= 1.0 - 1e-3  # the other worker waited the pause out


# --- logs --------------------------------------------------------------------------------------

def test_secrets_never_reach_the_logs(emu, caplog):
    caplog.set_level(logging.DEBUG)
    factory = ClientFactory(allow_local=LOCAL, secrets=["s3cr3t-Value/42"])
    headers = {"Authorization": "Bearer s3cr3t-Value/42", "X-Api-Key": "k3y-in-header"}
    with factory(emu.url, headers=headers) as client:
        response = client.get("/echo", params={"access_token": "s3cr3t-Value/42",
                                               "api_key": "plain-key", "page": "2"})
    assert "s3cr3t-Value%2F42" in response.json()["query"]  # it was really sent
    logging.getLogger("hub.http").warning("sent %s", dict(response.request.headers))
    logging.getLogger("hub.http").warning("to %s", "https://merchant:pa55word@shop.test/")
    ours = "\n".join(caplog.handler.format(r) for r in caplog.records if r.name != "werkzeug")
    assert "-> 200" in ours and "page=2" in ours  # werkzeug is the platform's side: not ours
    for secret in ("s3cr3t-Value", "k3y-in-header", "plain-key", "cookie-s3cret", "pa55word"):
        assert secret not in ours


def test_redactor_hides_registered_values_and_secret_looking_fields(caplog):
    Redactor.add("p@ss word/1")
    logger = logging.getLogger("test_http.redacted")
    logger.addFilter(Redactor())
    caplog.set_level(logging.INFO, logger="test_http.redacted")
    logger.info("query %s", "https://x.test/a?password=hunter2&Signature=abc&q=p%40ss%20word%2F1")
    logger.info("headers {'authorization': 'Basic dXNlcjpwYXNz', 'x-api-key': 'k-123'}")
    try:
        raise RuntimeError("login failed for p@ss word/1")
    except RuntimeError:
        logger.exception("Proxy-Authorization: Digest abc")
    for secret in ("hunter2", "abc", "p%40ss", "p@ss", "dXNlcjpwYXNz", "k-123"):
        assert secret not in caplog.text
    assert "q=***" in caplog.text and "RuntimeError: login failed for ***" in caplog.text


def test_an_operation_bucket_limits_on_top_of_the_connection(emu, redis_conn, fake_clock):
    """An operation limited to 2 at once then 2/s waits, while the connection's own bucket is loose."""
    factory = ClientFactory(redis=redis_conn, limiter_key="conn:9", rate_limit={"requests": 100, "per_seconds": 1},
                            allow_local=LOCAL)
    with factory(emu.url, operation="createReport", rate_limit={"requests": 2, "per_seconds": 1}) as slow, \
            factory(emu.url) as fast:
        for _ in range(4):
            slow.get("/ok")
        assert sum(fake_clock.slept) == pytest.approx(1.0, abs=1e-3)  # two at once, then two at 2/s
        fake_clock.slept.clear()
        for _ in range(4):
            fast.get("/ok")
        assert fake_clock.slept == []


def test_a_fast_bucket_leases_tokens_yet_keeps_the_rate(emu, redis_conn, fake_clock):
    """At 200/s a process takes several tokens per Redis call, yet four threads spend exactly the
    bucket's 200 while time stands still, and exactly 200 more after one second."""
    limit = {"requests": 200, "per_seconds": 1}
    factory = ClientFactory(redis=redis_conn, limiter_key="conn:10", rate_limit=limit, allow_local=LOCAL)
    assert factory.limiter.lease > 1
    factory.limiter.sleep = _stop_when_empty
    with factory(emu.url) as client:
        _hammer_until_empty([client] * 4)
        assert len(hits(emu, "/ok")) == 200
        fake_clock.advance(1.0)
        _hammer_until_empty([client] * 4)
        assert len(hits(emu, "/ok")) == 400


def test_a_lease_saves_redis_calls(redis_conn):
    limiter = RateLimiter(redis_conn, "conn:12", requests=200, per_seconds=1)
    calls = []
    script = limiter._script
    limiter._script = lambda **kw: calls.append(kw) or script(**kw)
    for _ in range(100):
        limiter.acquire()
    assert len(calls) == -(-100 // limiter.lease)  # one Redis call per lease, none between


def test_a_slow_bucket_takes_one_token_per_request(redis_conn):
    assert RateLimiter(redis_conn, "conn:11", requests=10, per_seconds=1).lease == 1


def test_a_bucket_never_lets_a_request_through_without_a_token(redis_conn, fake_clock):
    """Whatever the clock's sub-microsecond digits, a bucket of 2 hands out 2 tokens, then only waits.

    (A timestamp stored rounded up to the microsecond once left the bucket 'in the future', and the
    script answered 'wait 0, no token': the request went out without one.)"""
    for n in range(40):
        fake_clock.set(1_796_049_405 + n / 7 + 1e-7 * n)
        limiter = RateLimiter(redis_conn, f"conn:round:{n}", requests=2, per_seconds=1)
        answers = [limiter._run(0, 1) for _ in range(4)]
        assert [taken for _, taken in answers] == [1, 1, 0, 0], answers
        assert all(wait > 0 for wait, _ in answers[2:]), answers
