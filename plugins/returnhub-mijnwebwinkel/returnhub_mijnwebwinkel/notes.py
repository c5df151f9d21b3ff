"""The return as the hub writes it into the order's internal comment: one marker line per return, which is
how a retried create finds its earlier write and how the decision read knows the credit orders before it."""
from __future__ import annotations

import re

from hub.model import Return

MAX_COMMENT = 4000  # keep the internal comment readable; older text is kept, never cut


def marker(reference: str) -> str:
    return f"[{reference}]"


def line_for(ret: Return, credits_before: list[int]) -> str:
    """``[returnhub-1-R5] Return requested (marketplace order MO5): 1x SKU-1 (TOO_SMALL) | credit orders: 99``."""
    items = "; ".join(
        f"{line.quantity}x {line.sku or line.ean or line.title or line.external_line_id}"
        + (f" ({line.reason_code})" if line.reason_code else "")
        + (f" \"{' '.join(line.customer_comment.split())[:120]}\"" if line.customer_comment else "")
        for line in ret.lines)
    known = ",".join(str(n) for n in credits_before) or "-"
    return f"{marker(ret.reference)} Return requested (marketplace order {ret.marketplace_order_id}): {items} " \
           f"| credit orders: {known}"


def has(comment: str | None, reference: str) -> bool:
    return marker(reference) in (comment or "")


def credits_before(comment: str | None, reference: str) -> set[int]:
    """The credit order numbers the order had when the hub wrote this return (read back from its line)."""
    match = re.search(re.escape(marker(reference)) + r".*\| credit orders: ([\d,-]+)", comment or "")
    if not match or match.group(1) == "-":
        return set()
    return {int(n) for n in match.group(1).split(",") if n.isdigit()}


def appended(comment: str | None, line: str) -> str:
    """The internal comment with the return's line added below what the merchant wrote."""
    return f"{comment.rstrip()}\n{line}" if comment and comment.strip() else line
