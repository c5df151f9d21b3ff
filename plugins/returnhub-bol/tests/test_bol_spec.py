"""Every request the plugin sent and every answer the emulator gave, checked against bol's OpenAPI files."""
import httpx
import pytest

from hub.errors import TransientError
from hub.model import Decision, load_return

OPERATIONS = {
    ("GET", "/retailer/returns"), ("GET", "/retailer/returns/{return-id}"),
    ("PUT", "/retailer/returns/{rma-id}"), ("GET", "/shared/process-status/{process-status-id}"),
    ("GET", "/shared/process-status"),
}


def _run_everything(poll_all, emu, make_adapter):
    """A full plugin run: paged FBR + FBB import, pushes incl. partial, failure and a lost status."""
    emu.seed(52, fulfilment="FBR", items=2, quantity=3)
    emu.seed(2, fulfilment="FBB")
    adapter = make_adapter()
    items, _ = poll_all(adapter)
    returns = [load_return(i) for i in items if i["fulfilment_method"] == "FBR"][:3]
    for ret in returns:
        for line, decision in zip(ret.lines, (Decision.ACCEPTED, Decision.REJECTED)):
            line.decision, line.decision_quantity = decision, 2
    adapter.push_decision(returns[0], returns[0].lines)
    emu.hook("faults", {"status_unavailable": 4})
    with pytest.raises(TransientError):
        adapter.push_decision(returns[1], returns[1].lines)
    adapter.push_decision(returns[1], returns[1].lines)
    emu.hook("faults", {"fail_rma": {returns[2].lines[0].external_line_id: "Item cannot be handled."}})
    with pytest.raises(Exception, match="Item cannot be handled"):
        adapter.push_decision(returns[2], returns[2].lines)
    make_adapter(demo=True).fetch_returns(None)


def test_plugin_traffic_is_valid_against_the_spec(poll_all, emu, make_adapter, spec):
    _run_everything(poll_all, emu, make_adapter)
    records = emu.requests()
    request_errors = [e for r in records for e in spec.check_request(r)]
    assert request_errors == []
    checked, response_errors = set(), []
    for rec in records:
        declared, errors = spec.check_response(rec)
        response_errors += errors
        if declared:
            checked.add((rec["method"], spec.find(rec["method"], rec["path"])[0], rec["status"]))
    assert response_errors == []
    assert {(m, p) for m, p, _ in checked} == OPERATIONS
    assert ("PUT", "/retailer/returns/{rma-id}", 202) in checked
    assert any(r["path"].startswith("/retailer-demo/") for r in records)


def test_error_answers_match_the_spec_and_the_validator_catches_bad_requests(emu, make_adapter, spec):
    token = make_adapter().client.token()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.retailer.v10+json",
               "Content-Type": "application/vnd.retailer.v10+json"}
    with httpx.Client(base_url=emu.url, headers=headers) as http:
        assert http.put("/retailer/returns/123", json={"handlingResult": "FIXED", "quantityReturned": 0}
                        ).status_code == 400
        assert http.get("/retailer/returns", params={"fulfilment-method": "XYZ", "page": 0}).status_code == 400
        assert http.get("/retailer/returns/404404").status_code == 404
        assert http.get("/shared/process-status/nope").status_code == 404
        assert http.get("/shared/process-status", params={"entity-id": "1"}).status_code == 400
    records = emu.requests()
    for rec in records:
        declared, errors = spec.check_response(rec)
        assert declared and errors == [], rec
    problems = [spec.check_request(r) for r in records]
    assert any("handlingResult" in e or "'FIXED'" in e for e in problems[0])
    assert any("quantityReturned" in e or "minimum" in e for e in problems[0])
    assert any("fulfilment-method" in e for e in problems[1]) and any("page" in e for e in problems[1])
    assert any("missing required event-type" in e for e in problems[4])
    # and it catches a field the spec does not declare in an answer
    assert spec.check_response({**records[2], "status": 200, "response": {"returnId": "1", "extra": 1}})[1]
