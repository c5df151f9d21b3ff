{%- if cookiecutter.kind == "marketplace" -%}
"""{{ cookiecutter.platform_name }}'s return reasons -> Returnhub's canonical reasons (hub.model.Reason values).

Keys are the platform's reason codes or texts, or (code, text) pairs where the text decides; the kit's
reasons_mapped check fails on a reason the emulator sends that is not here (docs/writing-plugins.md).
"""

REASONS = {
    "TOO_SMALL": "too_small",
    "TOO_BIG": "too_big",
    "DEFECTIVE": "defective",
    "CHANGED_MIND": "changed_mind",
}
{%- else -%}
"""Return reasons are mapped by marketplace plugins only; a shop plugin needs no map."""
{%- endif %}
