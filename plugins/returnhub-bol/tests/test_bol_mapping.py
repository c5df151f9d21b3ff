"""The decision vocabulary both ways, the canonical shape of a bol return, and the manifest."""
import pytest
from returnhub_bol import mapping

from hub.errors import InvalidPayload, PermanentError
from hub.manifest import load_manifest
from hub.model import Decision, Fulfilment, load_return

TABLE = [
    (Decision.ACCEPTED, "RETURN_RECEIVED"),
    (Decision.REJECTED, "RETURN_DOES_NOT_MEET_CONDITIONS"),
    (Decision.REPAIRED, "REPAIR_PRODUCT"),
    (Decision.EXCHANGED, "EXCHANGE_PRODUCT"),
    (Decision.CANCELLED, "CUSTOMER_KEEPS_PRODUCT_PAID"),
]


@pytest.mark.parametrize("decision,handling", TABLE)
def test_decisions_map_both_ways(decision, handling):
    assert mapping.handling_result_for(decision) == handling
    assert mapping.decision_for(handling) == decision


def test_still_approved_reads_as_accepted_and_unknown_values_as_none():
    assert mapping.decision_for("STILL_APPROVED") == Decision.ACCEPTED
    assert mapping.decision_for("RETURN_RECEIVED_AND_INSPECTED") is None


def test_kept_is_refused_unless_approximated():
    with pytest.raises(PermanentError, match="no handling result for 'kept'"):
        mapping.handling_result_for(Decision.KEPT)
    assert mapping.handling_result_for(Decision.KEPT, approximate_kept=True) == "RETURN_RECEIVED"
    with pytest.raises(PermanentError, match="no decision"):
        mapping.handling_result_for(None)


def test_every_sent_value_is_in_the_spec_enum():
    from returnhub_bol.emulator import HANDLING_RESULTS  # the emulator's copy of the spec's enum
    assert set(mapping.DECISION_TO_HANDLING.values()) | {mapping.KEPT_APPROXIMATION} <= set(HANDLING_RESULTS)


def test_manifest_is_valid_and_matches_the_mapping():
    manifest = load_manifest("returnhub_bol")
    assert manifest.slug == "bol" and manifest.kind == "marketplace"
    caps = manifest.capabilities
    assert set(caps.decisions) == {d.value for d in mapping.DECISION_TO_HANDLING}
    assert "kept" not in caps.decisions
    assert caps.push_decision and caps.partial_quantities and caps.per_line_push
    assert caps.auto_accept_fulfilment == ("FBB",)


def _bol_return(**over):
    item = {"rmaId": "31234567", "orderId": "4012345678", "ean": "9789076174082", "title": "Boek",
            "expectedQuantity": 2, "handled": False, "processingResults": [],
            "returnReason": {"mainReason": "Verkeerd besteld", "detailedReason": "Dubbel besteld",
                             "customerComments": "Per ongeluk twee keer."},
            "customerDetails": {"salutation": "FEMALE", "firstName": "Billie", "surname": "Jansen",
                                "streetName": "Dorpstraat", "houseNumber": "1", "zipCode": "1111ZZ",
                                "city": "Utrecht", "countryCode": "nl", "email": "billie@verkopen.bol.com"}}
    ret = {"returnId": "1", "registrationDateTime": "2016-11-14T11:06:48.423+01:00",
           "fulfilmentMethod": "FBR", "returnItems": [item]}
    ret.update(over)
    return ret


def test_a_bol_return_becomes_a_valid_canonical_return():
    data = mapping.return_to_canonical(_bol_return())
    ret = load_return(data)
    assert ret.external_id == "1" and ret.marketplace_order_id == "4012345678"
    assert ret.fulfilment == Fulfilment.MERCHANT and ret.fulfilment_method == "FBR"
    line = ret.lines[0]
    assert (line.external_line_id, line.quantity, line.ean) == ("31234567", 2, "9789076174082")
    assert (line.reason_code, line.reason_text) == ("Verkeerd besteld", "Dubbel besteld")
    assert ret.customer.name == "Billie Jansen" and ret.customer.address.country_code == "NL"
    assert "customerDetails" not in line.raw
    assert ret.requested_at.utcoffset().total_seconds() == 0 and ret.requested_at.hour == 10


def test_fbb_is_fulfilled_by_the_marketplace():
    ret = load_return(mapping.return_to_canonical(_bol_return(fulfilmentMethod="FBB")))
    assert ret.fulfilment == Fulfilment.MARKETPLACE and ret.fulfilment_method == "FBB"


def test_unknown_handling_result_is_kept_raw_and_flagged():
    bol = _bol_return()
    bol["returnItems"][0]["processingResults"] = [
        {"quantity": 1, "processingResult": "ACCEPTED", "handlingResult": "RETURN_RECEIVED_AND_INSPECTED",
         "processingDateTime": "2018-04-17T10:55:37+02:00"}]
    ret = load_return(mapping.return_to_canonical(bol))
    assert ret.flags == ["unknown_handling_result:RETURN_RECEIVED_AND_INSPECTED"]
    assert ret.lines[0].raw["processingResults"][0]["handlingResult"] == "RETURN_RECEIVED_AND_INSPECTED"


@pytest.mark.parametrize("change,reason", [
    ({"fulfilmentMethod": "LVB"}, "unknown fulfilmentMethod 'LVB'"),
    ({"returnItems": []}, "no returnItems"),
    ({"returnItems": [{"orderId": "1", "expectedQuantity": 1}]}, "item 1 has no rmaId"),
    ({"returnItems": [{"rmaId": "9", "orderId": "1", "expectedQuantity": "2"}]}, "expectedQuantity '2'"),
    ({"returnItems": [{"rmaId": "9", "orderId": "1", "expectedQuantity": 0}]}, "expectedQuantity 0"),
])
def test_unusable_returns_raise_with_a_reason(change, reason):
    with pytest.raises(InvalidPayload, match=reason) as info:
        mapping.return_to_canonical(_bol_return(**change))
    assert info.value.external_id == "1"


def test_a_return_spanning_two_orders_is_flagged():
    bol = _bol_return()
    second = dict(bol["returnItems"][0], rmaId="31234568", orderId="4012345679")
    bol["returnItems"].append(second)
    data = mapping.return_to_canonical(bol)
    assert "multiple_orders" in data["flags"] and data["raw"]["orderIds"] == ["4012345678", "4012345679"]
