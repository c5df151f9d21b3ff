"""Shared steps of the Mirakl flow tests: the ledger's calls, a return's lines, what the emulator recorded."""
from __future__ import annotations

from returnhub_mirakl.mapping import decisions_recorded


def calls(mirakl, path: str, method: str = "PUT") -> list:
    """The emulator's ledger entries of one operation (any operator's base path)."""
    return [e for e in mirakl.ledger.entries if e.method == method and e.path.endswith(path)]


def recorded(mirakl, operator: str, rid: str) -> dict:
    """The decisions the emulator holds for a return, read through the plugin's mapping."""
    state = mirakl.state
    ret = state.op(operator).returns[rid]
    return decisions_recorded(ret, state.refunded(operator, ret["order_id"]))


def lines_of(ret: dict) -> list[str]:
    return [rl["order_line_id"] for rl in ret["return_lines"]]

