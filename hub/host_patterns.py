"""A plugin's ``allowed_hosts``: which host names its HTTP clients may reach, as patterns.

A pattern is an exact host name (``api.bol.com``), ``*.`` and a domain for platforms whose hosts
vary per shop or operator (``*.myshopify.com``: any name under that domain, at any depth, never the
domain itself), or ``*`` alone: any public host (for a plugin that calls URLs the merchant enters).
An empty list allows no host. Matching is case-insensitive and ignores a trailing dot. The address
guard (:mod:`hub.http`) still refuses non-public addresses whatever the pattern.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from marshmallow import ValidationError

from hub.errors import AddressNotAllowed

ANY = "*"
# One DNS label: letters, digits, hyphens (IDNA "xn--" names included), not starting or ending with "-".
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid allowed_hosts entry, or None when it is."""
    if pattern == ANY:
        return None
    name = pattern.removeprefix("*.")
    if not _NAME.match(name.lower().rstrip(".")):
        return (f"'{pattern}' is not a host pattern: give a host name (api.example.com), "
                "'*.' and a domain (*.example.com) or '*' for any public host")
    return None


def validate_host_pattern(pattern: str) -> None:
    """The manifest schema's check of one entry: a typo is a manifest error, not a refusal at run time."""
    problem = pattern_problem(pattern)
    if problem:
        raise ValidationError(problem)


def _normal(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


class HostPatterns:
    """The hosts one owner's clients may reach; ``check(host)`` raises AddressNotAllowed otherwise."""

    def __init__(self, patterns: Iterable[str], owner: str = "this client"):
        self.patterns = tuple(patterns)
        self.owner = owner
        problems = [p for p in map(pattern_problem, self.patterns) if p]
        if problems:
            raise ValueError("; ".join(problems))
        self._any = ANY in self.patterns
        self._exact = frozenset(_normal(p) for p in self.patterns if not p.startswith("*"))
        self._suffixes = tuple("." + _normal(p[2:]) for p in self.patterns if p.startswith("*."))

    def allows(self, host: str) -> bool:
        """True when ``host`` (a name or address literal, as in a URL) matches one of the patterns."""
        host = _normal(host)
        return self._any or host in self._exact or any(host.endswith(s) for s in self._suffixes)

    def check(self, host: str) -> None:
        """Raise AddressNotAllowed naming the host, the owner and its patterns unless ``host`` is allowed."""
        if self.allows(host):
            return
        if not self.patterns:
            raise AddressNotAllowed(
                f"host {host} refused: {self.owner} declares no allowed_hosts in its manifest, so it may reach "
                "no host (list the platform's host names, or '*' for any public host)")
        raise AddressNotAllowed(
            f"host {host} is not in the allowed_hosts of {self.owner} ({', '.join(self.patterns)})")

    def __repr__(self) -> str:
        return f"HostPatterns({list(self.patterns)!r}, owner={self.owner!r})"
