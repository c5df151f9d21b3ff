"""Operators as instances: the merchant picks "MediaMarkt" (never "Mirakl") in the connection form, and the
connections list, the returns overview, the return page, the dashboard, the API and the CLI name it so."""
from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner
from returnhub_mirakl.operators import operators

from hub.accounts import create_user
from hub.api_tokens import create_token
from hub.app import create_app
from hub.testing.flow import settle, states
from hub.testing.kit.base import login

ISSUE_OPERATORS = [
    "MediaMarkt", "Leroy Merlin", "Bricoman", "Decathlon", "Debenhams", "Vtwonen", "ANWB", "INNO", "But", "Conrad",
    "La Redoute", "Praxis", "Le BHV Marais", "Home24", "Galeries Lafayette", "fonQ", "BlokkerConnect!",
    "Carrefour France", "Carrefour Espagne", "Maisons du Monde", "Kruidvat", "Obelink", "Worten", "Douglas",
    "Manor", "Leen Bakker", "Conforama", "PcComponentes", "ePrice", "Offres FNAC Darty"]
EMAIL, PASSWORD = "merchant@example.com", "correct horse battery"


@pytest.fixture
def client(hub):
    create_user(hub, email=EMAIL, password=PASSWORD, merchant_name="Merchant A")
    web = create_app(hub=hub).test_client()
    login(web, EMAIL, PASSWORD)
    return web


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_every_operator_of_the_issue_is_an_instance():
    assert sorted(op.name for op in operators().values()) == sorted(ISSUE_OPERATORS)


def test_the_form_offers_every_operator_and_saves_the_chosen_one(hub, client, mirakl, shop_emu):
    page = client.get("/connections/new").get_data(as_text=True)
    for name in ISSUE_OPERATORS:
        assert f">{name.replace('!', '!')}</option>" in page.replace("&amp;", "&"), name
    assert 'value="mirakl:mediamarkt"' in page
    form = client.get("/connections/new?marketplace=mirakl:leroy_merlin&shop=fakeshop").get_data(as_text=True)
    assert 'value="Leroy Merlin → Fake Shop"' in form
    assert re.search(r'<option value="leroy_merlin" selected>Leroy Merlin</option>', form)
    answer = client.post("/connections/new", data={
        "csrf_token": _csrf(form), "marketplace": "mirakl", "shop": "fakeshop", "name": "Leroy Merlin → Fake Shop",
        "m-instance": "leroy_merlin", "m-base_url": f"{mirakl.url}/leroy_merlin",
        "m-api_key": "emu-leroy_merlin-shop-key", "m-receive_step": "on", "m-compliance_step": "on",
        "m-close_step": "on", "s-base_url": shop_emu.url, "s-token": "shop-secret-token",
        "s-webhook_secret": "shop-webhook-secret"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    listing = client.get("/connections/").get_data(as_text=True)
    assert "Leroy Merlin →" in listing and "Mirakl marketplaces →" not in listing


def test_fnac_darty_form_says_what_to_do(client):
    form = client.get("/connections/new?marketplace=mirakl:fnac_darty&shop=fakeshop").get_data(as_text=True)
    assert "Action needed at Offres FNAC Darty" in form and "Incidents" in form


def test_returns_dashboard_api_and_cli_use_the_operator_name(hub, client, mirakl, connect, seed):
    cid = connect("mediamarkt")
    made = seed("mediamarkt", 2)
    settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 2)
    overview = client.get("/").get_data(as_text=True)
    assert "MediaMarkt<br>" in overview
    from hub.testing.flow import find_return
    detail = client.get(f"/returns/{find_return(hub, made[0]['id']).id}").get_data(as_text=True)
    assert "MediaMarkt →" in detail
    assert "MediaMarkt" in client.get("/dashboard/").get_data(as_text=True)  # returns by marketplace
    export = client.get("/returns/export.csv").get_data(as_text=True)
    assert export.count(",MediaMarkt,") == 2
    _, token = create_token(hub, _merchant(hub), "test", ["returns:read"])
    api = create_app(hub=hub).test_client()
    body = api.get("/api/v1/returns", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {item["marketplace_name"] for item in body["items"]} == {"MediaMarkt"}
    conns = api.get("/api/v1/connections", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [c["marketplace_name"] for c in conns["items"]] == ["MediaMarkt"]
    from hub.cli import main
    result = CliRunner().invoke(main, ["plugins"], env={**os.environ, "RETURNHUB_PLUGINS": "mirakl"})
    assert "mirakl" in result.output and "loaded" in result.output
    assert "instances (30): MediaMarkt, Leroy Merlin" in result.output
    assert json.loads(result.output.split("capabilities: ", 1)[1].splitlines()[0])["push_decision"] is True


def _merchant(hub) -> int:
    from sqlalchemy import text
    with hub.session() as s:
        return s.execute(text("select id from merchant where name = 'Merchant A'")).scalar_one()


def test_plugins_page_lists_the_operators(client):
    page = client.get("/plugins/").get_data(as_text=True)
    assert "30 marketplaces" in page and "MediaMarkt, Leroy Merlin" in page
