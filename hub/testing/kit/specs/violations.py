"""One broken rule of an API description, said the way an author can act on it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """``side`` is "request" (the adapter sent it) or "response" (the emulator answered it)."""

    side: str
    operation: str
    field: str
    rule: str

    def __str__(self) -> str:
        who = "the adapter's request" if self.side == "request" else "the emulator's response"
        return f"{self.operation}: {who}: {self.field or '(whole message)'}: {self.rule}"


def field_path(parts, prefix: str = "") -> str:
    """``["returns", 0, "rmaId"]`` → ``returns[0].rmaId`` (after ``prefix``)."""
    text = prefix
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def schema_error_field(error, prefix: str = "") -> str:
    """The field a jsonschema error is about; for ``required``, the missing property itself."""
    parts = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.message, str) and error.message.startswith("'"):
        parts.append(error.message.split("'")[1])
    return field_path(parts, prefix)


def schema_error_rule(error) -> str:
    """``required: 'x' is a required property`` — the JSON Schema keyword broken and jsonschema's words."""
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{error.validator}: {message}"
