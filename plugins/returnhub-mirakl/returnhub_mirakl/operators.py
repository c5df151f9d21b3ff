"""The Mirakl operators a merchant can pick (the manifest's ``instances``), and where each one's API lives."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Operator:
    """One marketplace operator running Mirakl: what the merchant sees and how the plugin reaches it."""

    key: str
    name: str
    label: str
    countries: tuple[str, ...] = ()
    url_pattern: str | None = None
    base_url: str | None = None
    returns_module: bool = True
    requires_action: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def has_api(self) -> bool:
        """False for an operator whose returns are not on Mirakl (FNAC Darty): the merchant acts in its back office."""
        return self.requires_action is None


@cache
def operators() -> dict[str, Operator]:
    """Every operator of the manifest, by key, in the manifest's order."""
    raw = json.loads((resources.files("returnhub_mirakl") / "manifest.json").read_text(encoding="utf-8"))
    known = {"key", "name", "label", "countries", "url_pattern", "base_url", "returns_module", "requires_action"}
    found = {}
    for item in raw["capabilities"]["instances"]:
        found[item["key"]] = Operator(
            key=item["key"], name=item["name"], label=item.get("label") or item["name"],
            countries=tuple(item.get("countries") or ()), url_pattern=item.get("url_pattern"),
            base_url=item.get("base_url"), returns_module=bool(item.get("returns_module", True)),
            requires_action=item.get("requires_action"), extra={k: v for k, v in item.items() if k not in known})
    return found


def operator(key: str) -> Operator:
    """The operator ``key``; KeyError names the known keys."""
    try:
        return operators()[key]
    except KeyError:
        raise KeyError(f"unknown Mirakl operator {key!r}; one of: {', '.join(operators())}") from None
