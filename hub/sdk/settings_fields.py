"""Field factories for a plugin's connection form (its settings schema): the shapes every plugin wrote out by
hand (a required credential, a sealed secret, a platform URL an emulator can replace, a bounded number). Each
takes the field's label and help text as written by the plugin; the fields are the marshmallow fields the core's
form, API and secret handling already read (``metadata`` keys ``label``, ``help``, ``secret``, ``pinned``). Also the
``name=decision`` maps a merchant types into a setting."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from hub.model import Decision


def _meta(label: str | None, help: str | None, **flags) -> dict:
    meta = dict(flags)
    if label is not None:
        meta["label"] = label
    if help is not None:
        meta["help"] = help
    return meta


def credential(label: str, help: str | None = None) -> fields.String:
    """A required, non-empty value the platform issued (client id, app key, merchant id)."""
    return fields.String(required=True, validate=validate.Length(min=1), metadata=_meta(label, help))


def secret(label: str, help: str | None = None) -> fields.String:
    """A required, non-empty secret: sealed at rest, never shown back."""
    return fields.String(required=True, load_only=True, validate=validate.Length(min=1),
                         metadata=_meta(label, help, secret=True))


def saved_secret(label: str, help: str | None = None) -> fields.String:
    """An optional secret a connect flow saves (a refresh token): sealed, never shown back, kept pinned."""
    return fields.String(load_default=None, allow_none=True, load_only=True,
                         metadata=_meta(label, help, secret=True, pinned=True))


def base_url(label: str, help: str | None = None, *, default: str) -> fields.Url:
    """A platform URL with its production default; tests point it at an emulator (no TLD needed)."""
    return fields.Url(load_default=default, require_tld=False, metadata=_meta(label, help))


def number(label: str, help: str | None = None, *, default: int, low: int, high: int) -> fields.Integer:
    """A whole number from ``low`` to ``high`` (a page size, a rate limit, a number of days)."""
    return fields.Integer(load_default=default, validate=validate.Range(min=low, max=high),
                          metadata=_meta(label, help))


def choice(label: str, help: str | None = None, *, default: str, choices) -> fields.String:
    """One of ``choices``, ``default`` when not given."""
    return fields.String(load_default=default, validate=validate.OneOf(choices), metadata=_meta(label, help))


def decision_map(text: str | None, pair: str) -> dict[str, str]:
    """``"Refund=accepted, Exchange=exchanged"`` (parts split at commas, semicolons or new lines) as
    ``{"refund": "accepted", ...}``, keys lower-cased; a ValidationError for a part that is not ``pair`` (e.g.
    ``"status=decision"``) or whose decision is not one of the hub's."""
    out = {}
    for part in re.split(r"[,;\n]", text or ""):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValidationError(f"'{part.strip()}' is not '{pair}'")
        decision = value.strip().lower()
        if decision not in Decision._value2member_map_:
            raise ValidationError(f"'{decision}' is not a decision ({', '.join(d.value for d in Decision)})")
        out[key.strip().lower()] = decision
    return out
