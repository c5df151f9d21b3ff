"""A return line's canonical reason as SQL: one CASE over the merchant's connections and their plugins'
reason maps, so the overview and the export filter by it without storing it."""
from __future__ import annotations

from sqlalchemy import and_, case, literal

from hub.db import ReturnLine, ReturnRow
from hub.model.reasons import Reason
from hub.reasons import reason_map


def reason_case(connections, registry):
    """CASE: the line's canonical reason value for its connection's marketplace ("other" when unmapped);
    (code, text) pairs first, then texts, then codes, as ``hub.model.reasons.canonical`` looks them up."""
    by_marketplace: dict[str, list[int]] = {}
    for conn in connections:
        by_marketplace.setdefault(conn.marketplace, []).append(conn.id)
    pairs, texts, codes = [], [], []
    for slug, ids in by_marketplace.items():
        cls = registry.marketplaces.get(slug)
        if cls is None:
            continue
        on = ReturnRow.connection_id.in_(ids)
        for key, value in reason_map(cls).items():
            if isinstance(key, tuple):
                pairs.append((and_(on, ReturnLine.reason_code == key[0], ReturnLine.reason_text == key[1]), value))
            else:
                texts.append((and_(on, ReturnLine.reason_text == key), value))
                codes.append((and_(on, ReturnLine.reason_code == key), value))
    whens = pairs + texts + codes
    if not whens:
        return literal(Reason.OTHER.value)
    return case(*whens, else_=Reason.OTHER.value)
