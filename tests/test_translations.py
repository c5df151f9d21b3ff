"""Every text the web app can show is translated into each language (nl, fr, de); the language is the
user's choice, else the browser's Accept-Language; dates and numbers follow it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from test_web import post, signed_in

from hub import plugin_texts
from hub.app import create_app
from hub.db import User
from hub.i18n import LANGUAGES, compile_catalogue
from hub.plugin_texts import TRANSLATED
from hub.plugins import load_plugins

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "hub"
CATALOGUES = HUB / "translations"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages() -> set:
    """Every msgid in the code and templates, as pybabel extract finds them (babel.cfg)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(HUB), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated_in_every_catalogue(language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale=language)
    problems = []
    messages = source_messages()
    assert len(messages) > 150 and "Returns" in messages and ("%(num)d return", "%(num)d returns") in messages
    for msgid in sorted(messages, key=str):
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s.strip() for s in strings) or len(strings) != (catalogue.num_plurals if entry.pluralizable else 1):
            problems.append(f"empty: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        wanted = set(PLACEHOLDER.findall(msgid[0] if isinstance(msgid, tuple) else msgid))
        if any(set(PLACEHOLDER.findall(s)) - wanted for s in strings):
            problems.append(f"unknown placeholder: {msgid!r}")
    assert not problems, f"{language}: " + "; ".join(problems)


def test_the_check_fails_on_an_empty_translation(tmp_path):
    """The catalogue check is real: an emptied message is found (and compiling still works)."""
    source = (CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    broken = source.replace('msgstr "Retours"', 'msgstr ""', 1)
    assert broken != source
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(broken, encoding="utf-8")
    with po.open("rb") as f:
        assert not read_po(f, locale="fr").get("Returns").string
    compile_catalogue(po, po.with_suffix(".mo"))
    assert po.with_suffix(".mo").stat().st_size > 0


PLUGINS = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "setup.cfg").exists())


@pytest.fixture(scope="module")
def adapters() -> dict[str, list[type]]:
    """Every loaded marketplace and shop class, by the package it comes from."""
    registry = load_plugins()
    found: dict[str, list[type]] = {}
    for cls in (*registry.marketplaces.values(), *registry.shops.values()):
        found.setdefault(plugin_texts.package_of(cls), []).append(cls)
    return found


def test_every_plugin_under_plugins_ships_a_catalogue():
    assert len(PLUGINS) == 16
    for plugin in PLUGINS:
        package = plugin.replace("-", "_")
        assert "translations/*/LC_MESSAGES/*.po" in (ROOT / "plugins" / plugin / "setup.cfg").read_text(), plugin
        for language in TRANSLATED:
            assert (ROOT / "plugins" / plugin / package / "translations" / language / "LC_MESSAGES"
                    / f"{package}.po").is_file(), (plugin, language)


@pytest.mark.parametrize("plugin", PLUGINS + ["api shop"])
def test_every_text_a_plugin_supplies_is_translated_in_its_catalogues(plugin, adapters):
    """Settings labels and help, required action and steps, connection buttons: in nl, fr and de, with no
    placeholder the English lacks, and shown by the core in that language."""
    package = "hub" if plugin == "api shop" else plugin.replace("-", "_")
    classes = adapters.get(package)
    assert classes, f"{plugin}: no loaded adapter"
    for cls in classes:
        texts = plugin_texts.texts(cls)
        assert texts, plugin
        assert plugin_texts.untranslated(cls) == {}, plugin
        for language in TRANSLATED:
            for text in texts:
                shown = plugin_texts.translate(cls, text, language)
                assert shown.strip() and set(re.findall(r"\{\w+\}", shown)) <= set(re.findall(r"\{\w+\}", text)), \
                    (plugin, language, text)
        assert any(plugin_texts.translate(cls, text, "fr") != text for text in texts), plugin


def test_the_plugin_check_fails_on_an_empty_or_missing_translation():
    """The plugin catalogue check is real: an emptied, a fuzzy and a missing text are each found."""
    po = ROOT / "plugins" / "returnhub-bol" / "returnhub_bol" / "translations" / "fr" / "LC_MESSAGES" / "returnhub_bol.po"
    source = po.read_bytes()
    wanted = ["Import FBB returns", "Client secret"]
    assert plugin_texts.lacking(source, wanted, "fr") == []
    emptied = source.replace(b"msgstr \"Importer les retours FBB\"", b'msgstr ""')
    assert emptied != source and plugin_texts.lacking(emptied, wanted, "fr") == ["Import FBB returns"]
    fuzzy = source.replace(b'msgid "Import FBB returns"', b'#, fuzzy\nmsgid "Import FBB returns"')
    assert plugin_texts.lacking(fuzzy, wanted, "fr") == ["Import FBB returns"]
    assert plugin_texts.lacking(source, [*wanted, "A text nobody translated"], "fr") == ["A text nobody translated"]
    assert plugin_texts.lacking(None, wanted, "fr") == wanted


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def test_language_from_accept_language_then_the_users_choice(app, hub, make_connection):
    make_connection()
    client = signed_in(app, hub)
    french = client.get("/connections/", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    page = french.get_data(as_text=True)
    assert '<html lang="fr">' in page and "Connexions" in page and "0 retour" in page
    assert '<html lang="en">' in client.get("/connections/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    post(client, "/language", {"language": "de", "back": "/connections/"})
    with hub.session() as s:
        assert s.query(User).one().language == "de"
    german = client.get("/connections/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="de">' in german and "Verbindungen" in german
    assert post(client, "/language", {"language": "xx"}).status_code == 400
    post(client, "/language", {"language": ""})
    assert '<html lang="nl">' in client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)


def test_flashes_dates_and_numbers_follow_the_language(app, hub, make_connection, market_emu, shop_emu, drain):
    from test_web import import_returns
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    client = signed_in(app, hub)
    post(client, "/language", {"language": "fr"})
    post(client, "/returns/1/retry", page="/")
    detail = client.get("/returns/1").get_data(as_text=True)
    assert "Ce retour n’a pas besoin d’un nouvel essai." in detail
    assert "nov. 2026" in detail  # the requested date, written the French way
    post(client, "/language", {"language": "de"})
    from sqlalchemy import update

    from hub.db import ReturnLine
    with hub.session() as s:
        s.execute(update(ReturnLine).values(unit_price=1234.5, currency="EUR"))
    assert "1.234,50\xa0€" in client.get("/returns/1").get_data(as_text=True)


def test_updating_a_plugin_catalogue_keeps_translations_adds_new_texts_and_drops_old(tmp_path, adapters):
    """``python -m hub.plugin_texts`` rewrites a catalogue from the plugin's texts without losing work."""
    cls = adapters["returnhub_bol"][0]
    po = tmp_path / "translations" / "fr" / "LC_MESSAGES" / "returnhub_bol.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Import FBB returns"\nmsgstr "Importer les retours FBB"\n\n'
                  'msgid "A text bol no longer has"\nmsgstr "Un texte"\n', encoding="utf-8")
    assert len(plugin_texts.update_catalogues([cls], tmp_path)) == 3
    texts = plugin_texts.texts(cls)
    with po.open("rb") as f:
        catalogue = read_po(f, locale="fr")
    assert [m.id for m in catalogue if m.id] == texts
    assert catalogue.get("Import FBB returns").string == "Importer les retours FBB"
    assert catalogue.get("A text bol no longer has") is None
    assert plugin_texts.lacking(po.read_bytes(), texts, "fr") == [t for t in texts if t != "Import FBB returns"]


def test_a_plugin_without_a_catalogue_shows_english():
    """A class of a plain module, of ``__main__`` or of a package without catalogues keeps its English texts."""
    for owner in ("test_web", "__main__", "returnhub_fakemarket", "no_such_package"):
        assert plugin_texts.translate(owner, "API key", "fr") == "API key"
    assert plugin_texts.translate("returnhub_bol", "Import FBB returns", "fr") == "Importer les retours FBB"
    assert plugin_texts.translate("returnhub_bol", "Import FBB returns", "en") == "Import FBB returns"
