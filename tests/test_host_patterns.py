"""A plugin's clients reach only its manifest's allowed_hosts (hub.host_patterns + the client factory).

Only loopback receives traffic: for other hosts the decision is tested, and a refused host is refused
before any lookup is made.
"""
from __future__ import annotations

import ipaddress
import json
import socket
from importlib import resources
from types import SimpleNamespace

import flask
import pytest

from hub.errors import AddressNotAllowed
from hub.host_patterns import HostPatterns, pattern_problem
from hub.http import AddressGuard, ClientFactory
from hub.manifest import ManifestSchema
from hub.testing.emulator import EmulatorServer


@pytest.fixture
def lookups(monkeypatch):
    """Names ending in .test resolve through ``lookups.table``; ``lookups.asked`` records every name looked up."""
    real = socket.getaddrinfo
    record = SimpleNamespace(table={}, asked=[])

    def getaddrinfo(host, port, *args, **kwargs):
        record.asked.append(host)
        if isinstance(host, str) and host.endswith(".test"):
            return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                    for ip in record.table[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return record


@pytest.mark.parametrize("patterns, host, allowed", [
    (["api.bol.com"], "api.bol.com", True),
    (["api.bol.com"], "API.Bol.com", True),
    (["api.bol.com"], "api.bol.com.", True),
    (["api.bol.com"], "login.bol.com", False),
    (["api.bol.com"], "api.bol.com.evil.test", False),
    (["api.bol.com"], "xapi.bol.com", False),
    (["*.myshopify.com"], "acme.myshopify.com", True),
    (["*.myshopify.com"], "a.b.myshopify.com", True),
    (["*.myshopify.com"], "myshopify.com", False),
    (["*.myshopify.com"], "evilmyshopify.com", False),
    (["*.myshopify.com"], "acme.myshopify.com.evil.test", False),
    (["*.mirakl.net", "api.bol.com"], "operator-x.mirakl.net", True),
    (["*"], "anything.example.org", True),
    (["*"], "93.184.215.14", True),
    ([], "api.bol.com", False),
    (["api.bol.com"], "93.184.215.14", False),
])
def test_patterns_decide_which_hosts(patterns, host, allowed):
    assert HostPatterns(patterns).allows(host) is allowed


@pytest.mark.parametrize("pattern", ["*myshopify.com", "api.*.com", "https://api.bol.com", "api.bol.com/returns",
                                     "", "localhost", "api.bol.com:443", "*.", "**.bol.com", "-api.bol.com"])
def test_malformed_patterns_are_refused(pattern):
    assert pattern_problem(pattern)
    with pytest.raises(ValueError, match="is not a host pattern"):
        HostPatterns([pattern])


def test_manifest_with_a_malformed_pattern_is_invalid_and_names_it():
    manifest = {"slug": "x", "title": "X", "kind": "shop", "version": "1", "hub_api": ">=1,<2", "auth": "none",
                "allowed_hosts": ["api.x.com", "https://x.com"],
                "capabilities": {"decisions": [], "decision_source": ["poll"]}}
    errors = ManifestSchema().validate(manifest)
    assert "https://x.com" in json.dumps(errors["allowed_hosts"])


def test_refusal_names_host_owner_and_patterns_before_any_lookup(lookups):
    guard = AddressGuard(allowed_hosts=HostPatterns(["api.bol.com", "login.bol.com"], "plugin 'bol'"))
    with pytest.raises(AddressNotAllowed) as refused:
        guard.resolve("https://metadata.evil.test/latest")
    assert str(refused.value) == ("host metadata.evil.test is not in the allowed_hosts of plugin 'bol' "
                                  "(api.bol.com, login.bol.com)")
    assert lookups.asked == []


def test_an_empty_list_allows_no_host_and_says_why():
    guard = AddressGuard(allowed_hosts=HostPatterns([], "plugin 'quiet'"))
    with pytest.raises(AddressNotAllowed, match="plugin 'quiet' declares no allowed_hosts"):
        guard.resolve("https://api.example.com/")


def test_an_allowed_host_still_passes_the_address_guard(lookups):
    lookups.table.update({"acme.shop.test": ["93.184.215.14"], "inner.shop.test": ["10.0.0.7"]})
    guard = AddressGuard(allowed_hosts=HostPatterns(["*.shop.test"]))
    assert guard.resolve("https://acme.shop.test/x") == [ipaddress.ip_address("93.184.215.14")]
    with pytest.raises(AddressNotAllowed, match="non-public 10.0.0.7"):
        guard.resolve("https://inner.shop.test/x")  # matches the pattern, but private


@pytest.fixture
def loopback():
    app = flask.Flask(__name__)
    app.hits = []

    @app.route("/ok")
    def ok():
        app.hits.append(flask.request.host)
        return "ok"

    with EmulatorServer(app) as server:
        yield server


def test_local_hosts_stay_allowed_and_refused_hosts_are_never_reached(loopback, lookups):
    lookups.table["api.platform.test"] = ["127.0.0.1"]
    factory = ClientFactory(allow_local=["127.0.0.1"], allowed_hosts=["api.platform.test"], retries=0)
    with factory(loopback.url) as client:
        assert client.get("/ok").status_code == 200  # 127.0.0.1: a configured local host (emulators)
        with pytest.raises(AddressNotAllowed, match="api.platform.test"):
            client.get(f"http://api.platform.test:{loopback.port}/ok")  # allowed name, loopback address
        with pytest.raises(AddressNotAllowed, match="not in the allowed_hosts"):
            client.get(f"http://other.platform.test:{loopback.port}/ok")
    assert loopback.app.hits == [f"127.0.0.1:{loopback.port}"]
    assert "other.platform.test" not in lookups.asked


def test_build_adapter_gives_clients_the_plugins_manifest_hosts(hub, make_connection, market_emu):
    from hub.connections import build_adapter
    from hub.db import Connection
    cid = make_connection()
    with hub.session() as s:
        conn = s.get(Connection, cid)
        s.expunge(conn)
    adapter = build_adapter(hub, conn, "marketplace")
    try:
        assert adapter.ctx.http_factory.guard.allowed_hosts.patterns == tuple(adapter.manifest.allowed_hosts)
        refused = pytest.raises(AddressNotAllowed, match="plugin 'fakemarket' declares no allowed_hosts")
        with adapter.ctx.http("https://api.elsewhere.example") as client, refused:
            client.get("/returns")
        assert adapter.fetch_returns(None) is not None  # its emulator on 127.0.0.1 stays reachable
    finally:
        adapter.close()


@pytest.mark.parametrize("package, urls", [
    ("returnhub_bol", ["https://api.bol.com/retailer/returns", "https://login.bol.com/token"]),
    ("returnhub_amazon", ["https://api.amazon.com/auth/o2/token",
                          "https://sellingpartnerapi-eu.amazon.com/reports/2021-06-30/reports",
                          "https://sandbox.sellingpartnerapi-na.amazon.com/orders/v0/orders",
                          "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/doc",
                          "https://d34o8swod1owfl.cloudfront.net/Report_47700.txt"]),
    ("returnhub_shopify", ["https://acme-store.myshopify.com/admin/api/2025-01/graphql.json"]),
    ("hub.default_plugins.api_shop", ["https://merchant.example.org/returnhub-webhook"]),
])
def test_shipped_manifests_allow_the_hosts_their_plugins_call(package, urls):
    raw = json.loads((resources.files(package) / "manifest.json").read_text(encoding="utf-8"))
    patterns = HostPatterns(raw["allowed_hosts"])
    for url in urls:
        host = url.split("/")[2]
        assert patterns.allows(host), f"{package} calls {host}, which its manifest does not allow"
