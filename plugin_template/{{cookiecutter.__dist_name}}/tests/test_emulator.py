"""The emulator answers like the API it stands for: it refuses what the platform refuses."""
{%- set path = "/returns" if cookiecutter.kind == "marketplace" else "/orders" %}
{%- set query = "page=1" if cookiecutter.kind == "marketplace" else "number=ORD-1001" %}
{%- if cookiecutter.auth == "hmac" %}
import json as jsonlib
{%- endif %}

import httpx
import pytest

{% if cookiecutter.auth == "hmac" -%}
from hub import clock
from hub.sdk.signing import hmac_sha256_hex
{% endif -%}
from hub.testing import EmulatorServer
from {{ cookiecutter.__package }} import emulator

GOOD = emulator.CREDENTIALS


@pytest.fixture
def server():
    with EmulatorServer(emulator.create_app(demo=True)) as running:
        yield running

{% if cookiecutter.auth == "api_key" %}
def call(server, method="GET", target="{{ path }}?{{ query }}", json=None, key=GOOD["api_key"]):
    return httpx.request(method, server.url + target, json=json, headers={"X-Api-Key": key})


def test_a_wrong_or_missing_key_is_refused(server):
    assert call(server).status_code == 200
    assert call(server, key="wrong").status_code == 401
    assert httpx.get(server.url + "{{ path }}?{{ query }}").status_code == 401
{%- elif cookiecutter.auth == "bearer_token" %}
def call(server, method="GET", target="{{ path }}?{{ query }}", json=None, token=GOOD["access_token"]):
    return httpx.request(method, server.url + target, json=json, headers={"Authorization": f"Bearer {token}"})


def test_a_wrong_or_missing_token_is_refused(server):
    assert call(server).status_code == 200
    assert call(server, token="wrong").status_code == 401
    assert httpx.get(server.url + "{{ path }}?{{ query }}").status_code == 401
{%- elif cookiecutter.auth == "basic" %}
def call(server, method="GET", target="{{ path }}?{{ query }}", json=None, password=GOOD["password"]):
    return httpx.request(method, server.url + target, json=json, auth=(GOOD["username"], password))


def test_a_wrong_or_missing_password_is_refused(server):
    assert call(server).status_code == 200
    assert call(server, password="wrong").status_code == 401
    assert httpx.get(server.url + "{{ path }}?{{ query }}").status_code == 401
{%- elif cookiecutter.auth == "oauth2_client_credentials" %}
def token(server, secret=GOOD["client_secret"]) -> httpx.Response:
    return httpx.post(server.url + emulator.TOKEN_PATH, data={"grant_type": "client_credentials"},
                      auth=(GOOD["client_id"], secret))


def call(server, method="GET", target="{{ path }}?{{ query }}", json=None, access=None):
    access = access or token(server).json()["access_token"]
    return httpx.request(method, server.url + target, json=json, headers={"Authorization": f"Bearer {access}"})


def test_a_wrong_client_secret_gets_no_token(server):
    refused = token(server, secret="wrong")
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_a_missing_unknown_or_expired_token_is_refused(server, fake_clock):
    assert httpx.get(server.url + "{{ path }}?{{ query }}").status_code == 401
    assert call(server, access="not-a-token").status_code == 401
    access = token(server).json()["access_token"]
    assert call(server, access=access).status_code == 200
    fake_clock.advance(emulator.TOKEN_TTL + 1)
    assert call(server, access=access).status_code == 401
{%- else %}
def signed(method: str, target: str, body: bytes, stamp: int, secret: str = GOOD["secret_key"]) -> dict:
    """The headers the platform's signing scheme asks for (written from its documentation, not the client)."""
    message = "\n".join([method, target, body.decode(), str(stamp)])
    return {"X-Client-Key": GOOD["client_key"], "X-Timestamp": str(stamp),
            "X-Signature": hmac_sha256_hex(secret, message), "Content-Type": "application/json"}


def call(server, method="GET", target="{{ path }}?{{ query }}", json=None, secret=GOOD["secret_key"]):
    body = jsonlib.dumps(json).encode() if json is not None else b""
    return httpx.request(method, server.url + target, content=body,
                         headers=signed(method, target, body, int(clock.time()), secret))


def test_a_wrong_secret_or_missing_signature_is_refused(server):
    assert call(server).status_code == 200
    assert call(server, secret="wrong").status_code == 401
    assert httpx.get(server.url + "{{ path }}?{{ query }}").status_code == 401


def test_a_signature_is_bound_to_the_request_and_its_time(server, fake_clock):
    stamp = int(fake_clock.time())
    headers = signed("GET", "{{ path }}?{{ query }}", b"", stamp)
    assert httpx.get(server.url + "{{ path }}?{{ query }}", headers=headers).status_code == 200
    assert httpx.get(server.url + "{{ path }}?{{ query }}x", headers=headers).status_code == 401  # another query
    fake_clock.advance(emulator.SIGNATURE_WINDOW + 1)
    assert httpx.get(server.url + "{{ path }}?{{ query }}", headers=headers).status_code == 401  # too old
{%- endif %}
{% if cookiecutter.kind == "marketplace" %}

def test_a_decision_the_platform_cannot_take_is_refused(server):
    target = "/returns/RET-1/lines/RET-1-1"
    assert call(server, "PUT", target, json={"outcome": "MAYBE", "quantity": 1}).status_code == 422
    assert call(server, "PUT", target, json={"outcome": "REFUND", "quantity": 99}).status_code == 422
    assert call(server, "PUT", "/returns/RET-1/lines/nope", json={"outcome": "REFUND", "quantity": 1}).status_code \
        == 404
    assert call(server, "PUT", target, json={"outcome": "REFUND", "quantity": 1}).status_code == 201
    assert call(server, "PUT", target, json={"outcome": "REFUND", "quantity": 1}).status_code == 200
    assert call(server, "PUT", target, json={"outcome": "REJECT", "quantity": 1}).status_code == 409


def test_a_bad_page_is_refused(server):
    assert call(server, target="/returns?page=0").status_code == 400
    assert call(server, target="/returns?page_size=500").status_code == 400
    assert call(server, target="/returns?updated_from=yesterday").status_code == 400
{%- else %}

def test_a_return_on_an_unknown_order_or_without_lines_is_refused(server):
    line = {"line": "L1", "quantity": 1}
    assert call(server, "POST", "/returns", json={"reference": "r1", "order_id": "SO-nope", "lines": [line]}
                ).status_code == 404
    assert call(server, "POST", "/returns", json={"reference": "r1", "order_id": "SO-ORD-1001", "lines": []}
                ).status_code == 422
    assert call(server, "POST", "/returns", json={"reference": "r1", "order_id": "SO-ORD-1001", "lines": [line]}
                ).status_code == 201
{%- endif %}
