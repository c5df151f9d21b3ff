"""The connection form and settings, the Plugins, API tokens and Privacy pages, their flashes and form
errors, rendered in Dutch, French and German: no English text of the catalogue, and none of the texts
these pages used to show in English only, is left on the page."""
from __future__ import annotations

import html
import re

import pytest
from babel.messages.pofile import read_po
from test_translations import CATALOGUES
from test_web import post, signed_in

from hub.app import create_app

LANGUAGES = ["nl", "fr", "de"]
# Texts these pages showed in English before they were translated (issue 21), as a reader sees them; one that
# is also the language's own word (German "Version") is not counted. "Shop" is left out: the fake plugins'
# settings labels (the plugin's own texts) use it.
KNOWN = ["Connection name", "Save settings", "Save connection", "More options", "Secret: stored encrypted",
         "Test connection", "Sync health", "Last decision poll", "Advanced settings", "fetch returns from",
         "Off until you switch it on", "Webhook address for", "New connection", "Plugins missing", "Continue",
         "— choose —", "Returns come from the marketplace", "Installed plugins", "What each can do", "Push decisions",
         "Auto-accept", "Partial quantities", "Per-line push", "Merchant action", "Decisions via API",
         "Order lookup", "recorded only", "loaded", "API tokens", "New token", "What it is for", "Create token",
         "Your tokens", "Last used", "Revoke", "Retention", "Erase a customer", "Customer’s e-mail address",
         "Removes their personal data", "days after it is closed", "Webhook delivery logs", "within a minute",
         "paused:", "Give the connection a name", "Check the fields marked", "Missing data for required field",
         "Connected: the credentials work", "Token revoked", "The token was not created", "Personal data erased",
         "No return of that customer", "Sync queued", "Settings saved", "Scopes", "Plugin", "Kind", "Version",
         "Quality", "Marketplace", "Settings", "Quarantined", "never", "required", "One per line"]


def visible_text(page: str) -> str:
    """What a reader sees: the text between tags and the title, placeholder and aria-label attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    shown = re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *shown]))


def english_left(text: str, language: str, names: list[str] = ()) -> list[str]:
    """English catalogue texts (whole phrases of 3+ words, no placeholders) and known English texts on the page;
    ``names`` (the plugins' own titles, "Fake Marketplace") are not the hub's texts and are left out."""
    for name in names:
        text = text.replace(name, " ")
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale=language)
    phrases = [m.id for m in catalogue if isinstance(m.id, str) and m.id and "%(" not in m.id
               and len(m.id.split()) >= 3 and m.string and m.string != m.id]
    found = [p for p in phrases if p in text]
    own = " ".join(s for m in catalogue if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
    words = set(re.findall(r"[\w’'—:-]+(?: [\w’'—:-]+)*", text))
    found += [k for k in KNOWN if k not in own and (k in text if " " in k or not k.isalpha() else any(
        re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", w) for w in words))]
    return found


def plugin_titles(hub) -> list[str]:
    return [p.manifest.title for p in hub.registry.plugins.values() if p.manifest]


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def pages(client, cid: int) -> dict[str, str]:
    """Each page of the brief, with the flashes and errors its actions leave, as the user sees it."""
    shown = {}
    shown["choose"] = client.get("/connections/new").get_data(as_text=True)
    shown["new form"] = client.get("/connections/new?marketplace=fakemarket&shop=fakeshop").get_data(as_text=True)
    failed = post(client, "/connections/new", {"marketplace": "fakemarket", "shop": "fakeshop", "name": " "})
    assert failed.status_code == 400
    shown["failed save"] = failed.get_data(as_text=True)
    post(client, f"/connections/{cid}/test", page=f"/connections/{cid}")
    shown["connection"] = client.get(f"/connections/{cid}").get_data(as_text=True)
    shown["plugins"] = client.get("/plugins/").get_data(as_text=True)
    shown["token refused"] = post(client, "/tokens/", {"name": "", "scope": "returns:read"},
                                  page="/tokens/").get_data(as_text=True)
    made = post(client, "/tokens/", {"name": "shop", "scope": "returns:read"}, page="/tokens/")
    token_id = re.search(r'/tokens/(\d+)/revoke', made.get_data(as_text=True)).group(1)
    post(client, f"/tokens/{token_id}/revoke", page="/tokens/")
    shown["tokens"] = client.get("/tokens/").get_data(as_text=True)
    post(client, "/privacy/erase", {"email": "nobody@example.com"}, page="/privacy/")
    shown["privacy"] = client.get("/privacy/").get_data(as_text=True)
    return shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_speak_the_users_language(app, hub, make_connection, language):
    cid = make_connection(enabled=False)
    client = signed_in(app, hub)
    post(client, "/language", {"language": language})
    problems = {}
    for name, page in pages(client, cid).items():
        assert f'<html lang="{language}">' in page, name
        left = english_left(visible_text(page), language, plugin_titles(hub))
        if left:
            problems[name] = left
    assert not problems, f"English left in {language}: {problems}"


def test_the_check_finds_english(app, hub, make_connection):
    """The check is real: the same pages in English are full of the texts it looks for."""
    cid = make_connection(enabled=False)
    shown = pages(signed_in(app, hub), cid)
    for name, page in shown.items():
        assert len(english_left(visible_text(page), "fr", plugin_titles(hub))) >= 3, name
    assert "Give the connection a name." in shown["failed save"]


def test_a_french_failed_save_and_checks(app, hub, make_connection):
    """The flashes and errors read in French: the blank name, the connection test, the chooser."""
    cid = make_connection(enabled=False)
    client = signed_in(app, hub)
    post(client, "/language", {"language": "fr"})
    shown = pages(client, cid)
    assert "Donnez un nom à la connexion." in shown["failed save"] and "Nom de la connexion" in shown["failed save"]
    assert "Fake Marketplace (place de marché) : Connecté : les identifiants fonctionnent." in shown["connection"]
    assert "en pause : les retours sont désactivés" in shown["connection"]
    assert "Jeton révoqué : il ne fonctionne plus." in shown["tokens"]
    assert "Le jeton n’a pas été créé : donnez-lui un nom" in shown["token refused"]
    assert "Aucun retour de ce client n’a été trouvé" in shown["privacy"]
