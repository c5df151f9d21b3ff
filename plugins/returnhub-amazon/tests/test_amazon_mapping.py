"""Report parsing details that need no HTTP: header spellings, dates, keys that ignore dates."""
from __future__ import annotations

from returnhub_amazon import mapping
from returnhub_amazon.settings import DEFAULT_RETURN_STATUSES

from hub.model import Quarantined, load_return


def _tsv(rows: list[dict]) -> str:
    header = list(rows[0])
    return "\n".join(["\t".join(header)] + ["\t".join(r[h] for h in header) for r in rows]) + "\n"


ROW = {"Order ID": "302-1", "Return request date": "2026-03-01T10:00:00+01:00", "Return request status": "Approved",
       "Amazon RMA ID": "RMA-D", "Merchant SKU": "SKU-D", "Return quantity": "1", "Return Reason": "CR-DEFECTIVE",
       "In policy": "Y"}


def test_same_rma_with_another_date_in_a_later_report_keeps_its_key():
    first = mapping.mfn_returns(mapping.parse_tsv(_tsv([ROW])), DEFAULT_RETURN_STATUSES, mapping.MFN_FLAT)
    later = mapping.mfn_returns(mapping.parse_tsv(_tsv([{**ROW, "Return request date": "02-Mar-2026"}])),
                                DEFAULT_RETURN_STATUSES, mapping.MFN_FLAT)
    assert first[0]["external_id"] == later[0]["external_id"] == "RMA-D"
    assert load_return(first[0]).requested_at.isoformat() == "2026-03-01T09:00:00+00:00"


def test_regional_header_spellings_and_cp1252_are_read():
    text = _tsv([{"order-id": "302-2", "return-request-date": "2026-03-01", "RETURN REQUEST STATUS": "Closed",
                  "amazon-rma-id": "RMA-E", "Merchant SKU": "Größe-M", "return_quantity": "3", "Return Reason": "",
                  "In policy": ""}])
    rows = mapping.parse_tsv(mapping.decode(text.encode("cp1252"), None))
    (ret,) = mapping.mfn_returns(rows, DEFAULT_RETURN_STATUSES, mapping.MFN_FLAT)
    assert ret["lines"][0]["sku"] == "Größe-M" and ret["lines"][0]["quantity"] == 3
    assert "in_policy_unknown" in ret["flags"]


def test_unreadable_date_and_mixed_orders_quarantine_the_whole_rma():
    items = mapping.mfn_returns([mapping.parse_tsv(_tsv([{**ROW, "Return request date": "soon"}]))[0]],
                                DEFAULT_RETURN_STATUSES, mapping.MFN_FLAT)
    assert isinstance(items[0], Quarantined) and "unreadable Return request date" in items[0].reason
    rows = mapping.parse_tsv(_tsv([ROW, {**ROW, "Order ID": "302-9", "Merchant SKU": "SKU-Z"}]))
    (item,) = mapping.mfn_returns(rows, DEFAULT_RETURN_STATUSES, mapping.MFN_FLAT)
    assert isinstance(item, Quarantined) and item.external_id == "RMA-D" and len(item.raw["rows"]) == 2


def test_unreadable_xml_document_is_quarantined_not_fatal():
    rows = mapping.parse_returns_xml(b"<root><return_details><order_id>302-3</order_id><amazon_rma_id>RMA-X"
                                     b"</amazon_rma_id><item_details><merchant_sku>S</merchant_sku>"
                                     b"<return_quantity>1</return_quantity></item_details></return_details></root>")
    assert rows == [{"order_id": "302-3", "amazon_rma_id": "RMA-X", "merchant_sku": "S", "return_quantity": "1"}]
