"""Which redirect targets are safe: only same-origin relative paths, parsed and normalised the way a
browser would read them, so no form of ``next=`` leads a signed-in user to another site."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def same_origin_path(target: str | None) -> str | None:
    """``target`` when it is a relative path on this site (``/returns?x=1``), else None.

    Refused: anything with control characters or backslashes (raw or percent-encoded; browsers read
    ``\\`` as ``/`` and drop tabs and newlines, turning ``/\\evil`` and ``/\\t/evil`` into ``//evil``),
    a scheme or host, a path not starting with one ``/``, and a percent-encoded second slash.
    """
    if not target or not isinstance(target, str) or len(target) > 2048:
        return None
    decoded = target
    for _ in range(3):  # a target may be encoded more than once; each decoding must stay clean
        if _CONTROL.search(decoded) or not decoded.isprintable() or "\\" in decoded:
            return None
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    else:
        return None
    if not target.startswith("/") or decoded.startswith("//") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return target
