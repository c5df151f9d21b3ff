"""Shared by the generators of docs/writing-plugins.md: replace a marked section, or check it is current.

Each generator (hookref.py, modelref.py, adapterref.py) renders one section between its own start and
end markers; ``--check`` exits 1 when the file differs from a fresh rendering (the docs tests run it).
"""
from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path

DOC = Path(__file__).with_name("writing-plugins.md")


def markdown(text: str) -> str:
    """A reStructuredText-ish docstring as Markdown: roles and double backquotes become code, fields bullets."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")
    text = re.sub(r"^:param (\w+):", r"- **\1**:", text, flags=re.M)
    return re.sub(r"^:return:", "- **returns**:", text, flags=re.M)


def docstring(obj) -> str:
    """The object's own docstring as Markdown, or a marker that makes the gap visible."""
    return markdown(inspect.getdoc(obj) or "(undocumented)")


def section(parts: list[str]) -> str:
    """Markdown blocks as a section body: a blank line between blocks and around the whole."""
    return "\n\n" + "\n\n".join(part.strip("\n") for part in parts) + "\n\n"


def replace_section(text: str, start: str, end: str, body: str) -> str:
    """``text`` with the part between ``start`` and ``end`` (markers kept) replaced by ``body``."""
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return head + start + body + end + tail


def run(argv: list[str], start: str, end: str, render: Callable[[], str], generator: str) -> int:
    """The command line of a generator: rewrite its section, or with ``--check`` say whether it is current."""
    text = DOC.read_text(encoding="utf-8")
    if start not in text or end not in text:
        print(f"{DOC} has no markers for {generator}: {start} ... {end}", file=sys.stderr)
        return 1
    fresh = replace_section(text, start, end, render())
    if "--check" in argv:
        if fresh != text:
            print(f"{DOC} is out of date: run python docs/{generator}", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0
