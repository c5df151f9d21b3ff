"""HTML form fields generated from a plugin's marshmallow ``settings_schema``, and the form read back.

Each schema field becomes one input: its ``metadata`` gives the label and help text (in the user's
language from the plugin's catalogue, ``hub.plugin_texts``), its type and
validators the input kind (text, url, number, checkbox, select, list). Fields marked secret are
password inputs that are never filled in: left blank on an edit, the stored secret is kept
(``hub.connections.settings_for_storage``).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from flask_babel import gettext, lazy_gettext
from marshmallow import fields, missing, validate

from hub.plugin_texts import translate
from hub.secrets import secret_fields

# marshmallow's own messages, in the user's language; a plugin's validator messages are its own (English)
MESSAGES = {
    "Missing data for required field.": lazy_gettext("Missing data for required field."),
    "Field may not be null.": lazy_gettext("Field may not be null."),
    "Not a valid URL.": lazy_gettext("Not a valid URL."),
    "Not a valid integer.": lazy_gettext("Not a valid integer."),
    "Not a valid number.": lazy_gettext("Not a valid number."),
    "Not a valid boolean.": lazy_gettext("Not a valid boolean."),
    "Not a valid string.": lazy_gettext("Not a valid string."),
    "Not a valid list.": lazy_gettext("Not a valid list."),
}
ONE_OF = "Must be one of: "


def translated(message) -> str:
    """A validation message in the user's language when it is one of marshmallow's, else as given."""
    text = str(message)
    if text in MESSAGES:
        return str(MESSAGES[text])
    if text.startswith(ONE_OF) and text.endswith("."):
        return gettext("Must be one of: %(choices)s.", choices=text[len(ONE_OF):-1])
    return text


@dataclass
class FormField:
    name: str          # the schema field name
    input_name: str    # the HTML name (prefixed per plugin)
    label: str
    kind: str          # text | url | password | number | checkbox | select | list
    help: str | None = None
    required: bool = False
    value: Any = None
    choices: list[str] = dc_field(default_factory=list)
    step: str | None = None
    is_set: bool = False       # a secret that has a stored value
    labels: dict = dc_field(default_factory=dict)  # a select's shown text per choice (an instance's name)
    errors: list[str] = dc_field(default_factory=list)
    pinned: bool = False       # metadata "pinned": optional, yet shown with the required fields

    @property
    def advanced(self) -> bool:
        """Optional fields that have a default: shown folded under "More options"."""
        return not self.required and self.kind != "password" and not self.pinned


def _kind(f: fields.Field, secret: bool) -> tuple[str, list[str], str | None]:
    if secret:
        return "password", [], None
    for v in f.validators if isinstance(f.validators, list) else []:
        if isinstance(v, validate.OneOf):
            return "select", [str(c) for c in v.choices], None
    if isinstance(f, fields.Boolean):
        return "checkbox", [], None
    if isinstance(f, fields.Integer):
        return "number", [], "1"
    if isinstance(f, (fields.Float, fields.Decimal, fields.Number)):
        return "number", [], "any"
    if isinstance(f, fields.Url):
        return "url", [], None
    if isinstance(f, fields.List):
        return "list", [], None
    return "text", [], None


def _default(f: fields.Field):
    value = f.load_default
    if value is missing:
        return None
    return value() if callable(value) else value


def build(schema_cls, prefix: str, stored: dict | None = None, submitted: dict | None = None,
          errors: dict | None = None, labels: dict | None = None) -> list[FormField]:
    """The form fields of a plugin; values from what was submitted, else stored, else the default.

    ``labels``: ``{field: {choice: shown text}}`` for selects whose values are keys (instances).
    """
    schema = schema_cls()
    secrets = secret_fields(schema_cls)
    stored, errors = stored or {}, errors or {}
    result = []
    for name, f in schema.fields.items():
        if f.dump_only:
            continue
        secret = name in secrets
        kind, choices, step = _kind(f, secret)
        meta = f.metadata or {}
        if secret:
            value = None
        elif submitted is not None and name in submitted:
            value = submitted[name]
        elif name in stored:
            value = stored[name]
        else:
            value = _default(f)
        if kind == "list" and isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        field_errors = errors.get(name) or []
        if isinstance(field_errors, dict):
            field_errors = [f"{k}: {translated(v)}" for k, v in field_errors.items()]
        field_errors = [translated(e) for e in field_errors]
        result.append(FormField(
            name=name, input_name=f"{prefix}-{name}",
            label=translate(schema_cls, meta.get("label")) or name.replace("_", " ").capitalize(),
            kind=kind, help=translate(schema_cls, meta.get("help") or meta.get("description")),
            required=bool(f.required), value=value,
            choices=choices, step=step, is_set=bool(secret and stored.get(name)), errors=list(field_errors),
            labels=dict((labels or {}).get(name) or {}), pinned=bool(meta.get("pinned"))))
    return result


def read(schema_cls, prefix: str, form) -> dict:
    """The submitted settings of one plugin as the schema loads them; blanks left to the defaults."""
    schema = schema_cls()
    secrets = secret_fields(schema_cls)
    data: dict[str, Any] = {}
    for name, f in schema.fields.items():
        if f.dump_only:
            continue
        kind, _choices, _step = _kind(f, name in secrets)
        key = f"{prefix}-{name}"
        if kind == "checkbox":
            data[name] = key in form
            continue
        raw = (form.get(key) or "").strip()
        if not raw:
            continue  # a blank secret keeps the stored one; a blank option takes its default
        if kind == "list":
            data[name] = [item.strip() for item in raw.replace(",", "\n").splitlines() if item.strip()]
        else:
            data[name] = raw
    return data


def shown(schema_cls, submitted: dict) -> dict:
    """What may be shown back of a submitted form: everything but secrets."""
    secrets = secret_fields(schema_cls)
    return {k: v for k, v in submitted.items() if k not in secrets}
