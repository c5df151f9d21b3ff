"""The emulator toolkit's paging envelopes: page numbers, offset/limit, opaque next tokens, next links."""
from __future__ import annotations

import pytest

from hub.testing.emulation import (
    BadPagingValue,
    next_link_envelope,
    next_token_envelope,
    offset_envelope,
    page_number_envelope,
)

ITEMS = [f"R{n}" for n in range(1, 24)]  # 23 items


def test_page_numbers_cover_every_item_once():
    pages = [page_number_envelope(ITEMS, page=n, size=10, key="returns") for n in (1, 2, 3)]
    assert [len(p["returns"]) for p in pages] == [10, 10, 3]
    assert {p["pages"] for p in pages} == {3} and pages[0]["total"] == 23
    assert sum((p["returns"] for p in pages), []) == ITEMS
    assert page_number_envelope(ITEMS, page=4, size=10)["items"] == []
    assert page_number_envelope([], page=1, size=10)["pages"] == 1


def test_zero_based_pages():
    assert page_number_envelope(ITEMS, page=0, size=20, first=0)["items"] == ITEMS[:20]


@pytest.mark.parametrize("page, size", [("x", 10), (0, 10), (1, 0), (1, "ten")])
def test_bad_page_values_are_refused(page, size):
    with pytest.raises(BadPagingValue):
        page_number_envelope(ITEMS, page=page, size=size)


def test_offset_limit():
    body = offset_envelope(ITEMS, offset="20", limit="5")
    assert body == {"items": ITEMS[20:], "offset": 20, "limit": 3, "total": 23}
    with pytest.raises(BadPagingValue):
        offset_envelope(ITEMS, offset=-1)


def test_next_tokens_are_opaque_and_end_on_the_last_page():
    seen, token, calls = [], None, 0
    while True:
        body = next_token_envelope(ITEMS, token, size=10, key="reports")
        seen += body["reports"]
        calls += 1
        token = body.get("nextToken")
        if token is None:
            break
        assert not token.isdigit()
    assert (seen, calls) == (ITEMS, 3)
    with pytest.raises(BadPagingValue):
        next_token_envelope(ITEMS, "not-a-token")


def test_next_links_carry_the_query_and_a_link_header():
    body, link = next_link_envelope(ITEMS, "http://127.0.0.1:5000/returns", offset=0, size=10,
                                    params={"status": "open"})
    assert body["next"] == "http://127.0.0.1:5000/returns?status=open&offset=10&limit=10"
    assert link == f'<{body["next"]}>; rel="next"'
    last, none = next_link_envelope(ITEMS, "http://127.0.0.1:5000/returns", offset=20, size=10)
    assert "next" not in last and none is None
