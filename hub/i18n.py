"""The web app's languages (en, nl, fr, de) through Flask-Babel: the per-user choice, Accept-Language
otherwise, and catalogues compiled at build time (wheel) or from the .po files at start-up (a checkout)."""
from __future__ import annotations

import io
import logging
import os
import threading
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request
from flask_babel import Babel, get_locale, lazy_gettext

LANGUAGES = {"en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch"}
DEFAULT = "en"
DOMAIN = "messages"
SOURCE = Path(__file__).parent / "translations"
log = logging.getLogger(__name__)

STATE_LABELS = {
    "received": lazy_gettext("received"), "waiting_for_order": lazy_gettext("waiting for order"),
    "in_shop": lazy_gettext("in shop"), "decided": lazy_gettext("decided"), "pushed": lazy_gettext("pushed"),
    "closed_without_push": lazy_gettext("closed without push"), "needs_attention": lazy_gettext("needs attention"),
}
DECISION_LABELS = {
    "accepted": lazy_gettext("accepted"), "rejected": lazy_gettext("rejected"), "repaired": lazy_gettext("repaired"),
    "exchanged": lazy_gettext("exchanged"), "kept": lazy_gettext("kept"), "cancelled": lazy_gettext("cancelled"),
}
CONNECTION_LABELS = {"active": lazy_gettext("active"), "needs_reauth": lazy_gettext("needs new credentials")}

REASON_LABELS = {
    "too_small": lazy_gettext("too small"), "too_big": lazy_gettext("too big"), "defective": lazy_gettext("defective"),
    "damaged_in_transit": lazy_gettext("damaged in transit"), "wrong_item": lazy_gettext("wrong item"),
    "not_as_described": lazy_gettext("not as described"), "changed_mind": lazy_gettext("changed mind"),
    "found_cheaper": lazy_gettext("found cheaper"), "ordered_twice": lazy_gettext("ordered twice"),
    "late_delivery": lazy_gettext("late delivery"), "other": lazy_gettext("other"),
}


def select_locale() -> str:
    """The signed-in user's language, else the browser's best match among ours, else English."""
    chosen = g.get("user_language")
    if chosen in LANGUAGES:
        return chosen
    if not has_request_context():
        return DEFAULT
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def compiled_directory(instance_path: str) -> Path:
    """Where the .mo catalogues are: next to the .po files when the build compiled them (a wheel), else
    compiled now from the .po files into the instance folder (a source checkout or editable install)."""
    sources = sorted(SOURCE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if all(po.with_suffix(".mo").exists() and po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime
           for po in sources):
        return SOURCE
    target = Path(instance_path) / "translations"
    for po in sources:
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        compile_catalogue(po, mo)
    return target


def compiled(po_text: bytes, language: str, domain: str = DOMAIN) -> bytes:
    """A .po catalogue's text compiled to .mo bytes (what ``pybabel compile`` does; fuzzy entries left out)."""
    catalog = read_po(io.BytesIO(po_text), locale=language, domain=domain)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile one .po file to .mo, written atomically; each process writes its own temporary file, as
    several (gunicorn's workers booting together) may compile the same catalogue at once."""
    partial = mo.with_name(f"{mo.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(compiled(po.read_bytes(), po.parent.parent.name))
    partial.replace(mo)


def init_i18n(app) -> Babel:
    """Install Flask-Babel on the app with our languages and catalogues."""
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled_directory(app.instance_path))
    babel = Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale, REASON_LABELS=REASON_LABELS)
    return babel
