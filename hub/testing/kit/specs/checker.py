"""Hold recorded traffic to every API description a manifest names; say what was broken, or why not checked."""
from __future__ import annotations

from dataclasses import dataclass, field

from hub.testing.kit.specs.loading import how_to_enable, load, locate
from hub.testing.kit.specs.traffic import Exchange
from hub.testing.kit.specs.violations import Violation


@dataclass
class Missing:
    """A named description that is not on this machine, with how to make it available."""

    path: str
    reason: str


@dataclass
class DescriptionCheck:
    """The compiled descriptions of one plugin (``missing`` lists those not found)."""

    descriptions: list = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.descriptions)

    def operation(self, exchange: Exchange):
        """(description, operation name) of the first description that declares the request, else (None, None)."""
        for description in self.descriptions:
            operation = description.find(exchange)
            if operation:
                return description, operation
        return None, None

    def violations(self, exchanges: list[Exchange]) -> list[Violation]:
        """Every broken rule in ``exchanges``; requests no description declares (token endpoints,
        document downloads) are outside the descriptions and not judged."""
        found: list[Violation] = []
        for exchange in exchanges:
            description, operation = self.operation(exchange)
            if description is not None:
                for violation in description.check(exchange, operation):
                    if violation not in found:
                        found.append(violation)
        return found


def description_check(entries: list[dict], package: str) -> DescriptionCheck:
    """Load what ``entries`` (a manifest's ``api_descriptions``) name, from the specs folder or ``package``."""
    check = DescriptionCheck()
    for entry in entries or []:
        path = locate(entry, package)
        if path is None:
            check.missing.append(Missing(entry["path"], how_to_enable(entry, package)))
        else:
            check.descriptions.append(load(path, entry.get("format", "openapi")))
    return check


def report(violations: list[Violation], limit: int = 12) -> str:
    """The violations as lines, at most ``limit`` of them."""
    lines = [f"  - {v}" for v in violations[:limit]]
    if len(violations) > limit:
        lines.append(f"  ... and {len(violations) - limit} more")
    return "\n".join(lines)
