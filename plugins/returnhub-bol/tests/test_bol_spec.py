"""Every request the plugin sent and every answer the emulator gave, held to bol's OpenAPI files by the kit's
validator (RETURNHUB_SPECS_DIR), beyond the kit's own workload: paging, FBB, failures, expiry, demo paths."""
import httpx
import pytest

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return

OPERATIONS = {
    "GET /retailer/returns", "GET /retailer/returns/{return-id}", "PUT /retailer/returns/{rma-id}",
    "GET /shared/process-status/{process-status-id}", "GET /shared/process-status",
}


def _operation(spec, exchange) -> str | None:
    found = spec.operation(exchange)[1]
    return found.split("(", 1)[1].rstrip(")") if found and "(" in found else found


def test_plugin_traffic_is_valid_against_the_spec(emu, recording_adapter, page_walker, traffic, spec):
    """A full plugin run: paged FBR + FBB import, pushes incl. partial, a lost status, a failure, TIMEOUT."""
    emu.seed(52, fulfilment="FBR", items=2, quantity=3)
    emu.seed(2, fulfilment="FBB")
    adapter = recording_adapter()
    returns = [load_return(i) for i in page_walker(adapter).items if i["fulfilment_method"] == "FBR"][:4]
    for ret in returns:
        for line, decision in zip(ret.lines, (Decision.ACCEPTED, Decision.REJECTED)):
            line.decision, line.decision_quantity = decision, 2
    adapter.push_decision(returns[0], returns[0].lines)
    emu.faults.inject(503, count=4, path="/shared/process-status/")
    with pytest.raises(TransientError):
        adapter.push_decision(returns[1], returns[1].lines)
    adapter.push_decision(returns[1], returns[1].lines)
    emu.state.fail_rma[returns[2].lines[0].external_line_id] = "Item cannot be handled."
    with pytest.raises(PermanentError, match="Item cannot be handled"):
        adapter.push_decision(returns[2], returns[2].lines)
    emu.state.timeout_rma.add(returns[3].lines[0].external_line_id)
    with pytest.raises(TransientError, match="TIMEOUT"):
        adapter.push_decision(returns[3], returns[3].lines)
    emu.state.status_retention = 0
    adapter.push_decision(returns[3], returns[3].lines)  # sent again; its status is gone when looked at: 404
    recording_adapter(demo=True).fetch_returns(None)

    exchanges = [e for e in traffic.take() if e.path != "/token"]
    demo = [e for e in exchanges if e.path.startswith(("/retailer-demo/", "/shared-demo/"))]
    assert demo and all(e.status == 200 for e in demo)  # bol's demo paths are not in the description
    exchanges = [e for e in exchanges if e not in demo]
    assert spec.violations(exchanges) == []
    answered = {(_operation(spec, e), e.status) for e in exchanges if not e.injected}
    assert {op for op, _ in answered} == OPERATIONS
    assert {("PUT /retailer/returns/{rma-id}", 202), ("GET /shared/process-status/{process-status-id}", 404)} \
        <= answered


def test_error_answers_match_the_spec_and_the_validator_catches_bad_requests(emu, recording_adapter, traffic, spec):
    recording_adapter().check()
    token = traffic.take()[-1].request_headers["Authorization"]
    headers = {"Authorization": token, "Accept": "application/vnd.retailer.v10+json",
               "Content-Type": "application/vnd.retailer.v10+json"}
    with httpx.Client(base_url=emu.url, headers=headers, event_hooks=traffic.hooks()) as http:
        assert http.put("/retailer/returns/123", json={"handlingResult": "FIXED", "quantityReturned": 0}
                        ).status_code == 400
        assert http.get("/retailer/returns", params={"fulfilment-method": "XYZ", "page": 0}).status_code == 400
        assert http.get("/retailer/returns/404404").status_code == 404
        assert http.get("/shared/process-status/nope").status_code == 404
        assert http.get("/shared/process-status", params={"entity-id": "1"}).status_code == 400
    violations = spec.violations(traffic.take())
    assert {v.side for v in violations} == {"request"}  # every answer is as the spec declares it
    found = " ".join(f"{v.operation} {v.field} {v.rule}" for v in violations)
    for expected in ("body.handlingResult enum: 'FIXED'", "(and 1 more)", "fulfilment-method", "page", "event-type"):
        assert expected in found, (expected, found)  # the PUT breaks two rules: the enum and quantityReturned
