"""A plugin's own texts (settings labels and help, required action and its steps, connection buttons) are
shown in the user's language from the plugin's catalogue, in English where it has none."""
from __future__ import annotations

import pytest
from test_i18n_pages import visible_text
from test_web import signed_in

from hub.app import create_app
from hub.testing.connections import create_connection


@pytest.fixture
def hub_plugins():
    return ["fakemarket", "fakeshop", "bol", "otto", "allegro"]


@pytest.fixture
def client(hub):
    return signed_in(create_app(hub=hub), hub)


def test_connection_form_labels_and_help_follow_the_language(client):
    french = visible_text(client.get("/connections/new?marketplace=bol&shop=fakeshop",
                                     headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "Importer les retours FBB" in french and "Utiliser l’environnement de démo de bol" in french
    assert "Import FBB returns" not in french and "Use bol's demo environment" not in french
    german = visible_text(client.get("/connections/new?marketplace=bol&shop=fakeshop",
                                     headers={"Accept-Language": "de"}).get_data(as_text=True))
    assert "FBB-Retouren importieren" in german
    english = visible_text(client.get("/connections/new?marketplace=bol&shop=fakeshop",
                                      headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "Import FBB returns" in english
    # the fake shop ships no catalogue: its labels stay English
    assert "Shop URL" in french


def test_required_action_steps_and_buttons_follow_the_language(hub, client):
    otto = create_connection(hub, marketplace="otto", shop="fakeshop", name="otto",
                             marketplace_settings={"client_id": "id", "client_secret": "secret"})
    allegro = create_connection(hub, marketplace="allegro", shop="fakeshop", name="allegro",
                                marketplace_settings={"client_id": "id", "client_secret": "secret"})
    steps = visible_text(client.get(f"/connections/{otto}", headers={"Accept-Language": "nl"}).get_data(as_text=True))
    assert "Maak in OTTO Partner Connect een app met de interfaces Orders en Returns" in steps
    assert "In OTTO Partner Connect, create an app" not in steps
    page = visible_text(client.get(f"/connections/{allegro}", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "Connecter le compte Allegro" in page and "Connect Allegro account" not in page
    plugins = visible_text(client.get("/plugins/", headers={"Accept-Language": "de"}).get_data(as_text=True))
    assert "Verbinden Sie Ihr Allegro-Konto oben mit „Allegro-Konto verbinden“" in plugins
    assert "Connect your Allegro account" not in plugins
