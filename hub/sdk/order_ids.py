"""Shop return ids of the form ``"<order>/<reference>"``, for shops where a return lives on its order (a memo
line, an order comment) rather than as a record of its own: build, split, and group open returns by order."""
from __future__ import annotations

from hub.model import Return


def join_id(order: str | int, reference: str) -> str:
    """``"<order>/<reference>"``."""
    return f"{order}/{reference}"


def split_id(shop_return_id: str) -> tuple[str, str]:
    """``"<order>/<reference>"`` → (order, reference)."""
    order, _, reference = shop_return_id.partition("/")
    return order, reference


def by_order(returns: list[Return]) -> dict[str, list[Return]]:
    """The returns that have a shop return id, grouped by the order it names."""
    grouped: dict[str, list[Return]] = {}
    for ret in returns:
        if ret.shop_return_id:
            grouped.setdefault(split_id(ret.shop_return_id)[0], []).append(ret)
    return grouped
