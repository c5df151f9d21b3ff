{%- if cookiecutter.kind == "marketplace" -%}
"""{{ cookiecutter.platform_name }}'s return reasons -> Returnhub's canonical reasons (hub.model.Reason values).

Keys are the platform's reason codes or texts, or (code, text) pairs where the text decides; map the
platform's whole documented list. The kit's reasons_mapped check fails on a reason the emulator can send
(its RETURN_REASONS, the suite's reason_samples) that is not here (docs/writing-plugins.md).
"""

REASONS = {
    "TOO_SMALL": "too_small",
    "TOO_LARGE": "too_big",
    "DEFECTIVE": "defective",
    "NOT_AS_DESCRIBED": "not_as_described",
    "UNWANTED": "changed_mind",
}
{%- else -%}
"""Return reasons are mapped by marketplace plugins only; a shop plugin needs no map."""
{%- endif %}
