"""A plugin's own user-facing texts in the user's language: settings labels and help, the required
action and its steps, the connection page's buttons.

A plugin package ships its catalogue as ``<package>/translations/<lang>/LC_MESSAGES/<package>.po``
(its own gettext domain, the package name). The core compiles it in memory the first time a language
is asked for (as ``hub.i18n`` compiles its own) and looks a text up there, falling back to the
English text the plugin wrote. ``python -m hub.plugin_texts <package>`` writes or updates those
catalogues from the plugin's texts (docs/writing-plugins.md, "Translations").
"""
from __future__ import annotations

import io
import sys
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from flask import has_request_context
from flask_babel import get_locale

from hub.i18n import DEFAULT, LANGUAGES, compiled

TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]


def package_of(owner) -> str:
    """The top-level package a plugin class, schema or module belongs to (its catalogue's domain)."""
    module = owner if isinstance(owner, str) else owner.__module__
    return module.split(".")[0]


def catalogue_file(package: str, language: str) -> Traversable | None:
    """Where ``package`` keeps its catalogue for ``language`` (the file may not exist); None when ``package``
    is no importable package (a class defined in a plain module or ``__main__`` has no catalogue)."""
    try:
        return resources.files(package).joinpath("translations", language, "LC_MESSAGES", f"{package}.po")
    except (ModuleNotFoundError, TypeError, AttributeError):
        return None


@cache
def _translations(package: str, language: str) -> Translations | None:
    """The package's catalogue for a language, compiled once per process; None when it ships none."""
    po = catalogue_file(package, language)
    if po is None or not po.is_file():
        return None
    return Translations(io.BytesIO(compiled(po.read_bytes(), language, package)), domain=package)


def translate(owner, text: str | None, language: str | None = None) -> str | None:
    """``text`` of the plugin ``owner`` (a class, schema or package name) in ``language`` (default: the
    request's locale); the English text when the plugin has no translation of it."""
    if not text:
        return text
    if language is None:
        language = str(get_locale() or DEFAULT) if has_request_context() else DEFAULT
    if language == DEFAULT:
        return text
    found = _translations(package_of(owner), language)
    return (found.gettext(text) or text) if found is not None else text


def _step_texts(steps) -> list[str]:
    return [step.get("text") for step in steps or () if step.get("text")]


def texts(cls) -> list[str]:
    """Every user-facing text a plugin class supplies, in order, each once: its settings' labels and help,
    its required action and action steps (its instances' too) and its connection buttons."""
    found: list[str] = []
    schema = getattr(cls, "settings_schema", None)
    if schema is not None:
        for field in schema().fields.values():
            meta = field.metadata or {}
            found += [meta[key] for key in ("label", "help", "description") if meta.get(key)]
    caps = getattr(cls, "capabilities", None)
    if caps is not None:
        found += [caps.requires_action] if getattr(caps, "requires_action", None) else []
        found += _step_texts(getattr(caps, "action_steps", ()))
        for item in getattr(caps, "instances", ()) or ():
            found += [item["requires_action"]] if item.get("requires_action") else []
            found += _step_texts(item.get("action_steps"))
    actions = getattr(cls, "connection_actions", None)
    if actions is not None:
        found += [label for label, _href in actions(0)]
    return list(dict.fromkeys(found))


def lacking(po_text: bytes | None, wanted: list[str], language: str) -> list[str]:
    """The texts a catalogue (its .po text, None when there is none) lacks, leaves empty or marks fuzzy."""
    catalog = read_po(io.BytesIO(po_text), locale=language) if po_text is not None else Catalog(locale=language)
    found = {text: catalog.get(text) for text in wanted}
    return [text for text, entry in found.items() if entry is None or not entry.string.strip() or entry.fuzzy]


def untranslated(cls) -> dict[str, list[str]]:
    """Per language, the plugin's texts its catalogue lacks, leaves empty or marks fuzzy."""
    package = package_of(cls)
    wanted = texts(cls)
    missing: dict[str, list[str]] = {}
    for language in TRANSLATED:
        po = catalogue_file(package, language)
        gaps = lacking(po.read_bytes() if po is not None and po.is_file() else None, wanted, language)
        if gaps:
            missing[language] = gaps
    return missing


def update_catalogues(classes: list[type], root) -> list[str]:
    """Write ``<root>/translations/<lang>/LC_MESSAGES/<package>.po`` for every language: the texts of the
    package's adapter ``classes``, keeping the translations already there, dropping texts no longer used.
    ``root`` is the package's source folder. Gives the paths written."""
    package = package_of(classes[0])
    wanted = list(dict.fromkeys(text for cls in classes for text in texts(cls)))
    written = []
    for language in TRANSLATED:
        path = Path(root, "translations", language, "LC_MESSAGES", f"{package}.po")
        old = read_po(path.open("rb"), locale=language) if path.exists() else Catalog(locale=language)
        new = Catalog(locale=language, domain=package, project=package, fuzzy=False)
        for text in wanted:
            known = old.get(text)
            new.add(text, known.string if known is not None else "")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, new, width=120, omit_header=True, sort_output=False)
        written.append(str(path))
    return written


def main(argv: list[str]) -> int:
    """``python -m hub.plugin_texts <package>``: update the catalogues of an installed plugin package."""
    from hub.plugins import load_plugins
    if len(argv) != 1:
        print("usage: python -m hub.plugin_texts <plugin package, e.g. returnhub_bol>", file=sys.stderr)
        return 2
    package = argv[0]
    registry = load_plugins()
    classes = [cls for cls in (*registry.marketplaces.values(), *registry.shops.values()) if package_of(cls) == package]
    if not classes:
        print(f"no loaded plugin adapter in package {package}", file=sys.stderr)
        return 1
    for path in update_catalogues(classes, resources.files(package)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
