"""The overview and a return rendered in French in a real browser (Accept-Language: fr)."""
from __future__ import annotations

import pytest
from returnhub_fakemarket.emulator import sample_return

from hub.sync import jobs

pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright")


@pytest.fixture
def french_page(chromium, web):
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, base_url=web.url, locale="fr-FR",
                                   extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_overview_and_a_return_in_french(french_page, credentials, hub, make_connection, market_emu, shop_emu,
                                         drain):
    page = french_page
    cid = make_connection(merchant="Browser merchant")
    for n in (1, 2):
        ret = sample_return(n, lines=2)
        market_emu.state["returns"].append(ret)
        shop_emu.state["orders"][ret["order"]] = {"id": f"SO-{ret['order']}", "number": ret["order"]}
    jobs.poll_marketplace(cid)
    drain()
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Se connecter"
    page.fill("#email", credentials[0])
    page.fill("#password", credentials[1])
    page.click("button[type=submit]")
    page.wait_for_selector("text=Commandes ›")
    assert page.locator("html").get_attribute("lang") == "fr"
    headers = page.locator("table.data thead th").all_inner_texts()
    assert [h.strip().upper() for h in headers[:4]] == ["RETOUR", "PLACE DE MARCHÉ", "COMMANDE", "ARTICLES"]
    assert page.locator("#tab-attention").inner_text().startswith("À traiter")
    assert "+ 1 autre ligne" in page.locator("td.items").first.inner_text()
    assert page.locator("td .badge.in_shop").first.inner_text() == "dans la boutique"
    page.click("a:text-is('R1')")
    page.wait_for_selector("text=Historique")
    assert page.locator("h1").inner_text().startswith("Retour R1")
    assert page.locator("#decide").inner_text() == "Saisir la décision manuellement"
    assert "nov. 2026" in page.locator(".facts").first.inner_text()
