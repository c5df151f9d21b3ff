"""The manifest and settings contract, and the recorded traffic against Amazon's Reports API model."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from returnhub_amazon.emulator import fba_row, mfn_row
from returnhub_amazon.settings import AmazonSettings

from hub.errors import TransientError
from hub.manifest import load_manifest

SPEC_URI = "urn:amazon:reports_2021-06-30"


def test_manifest_is_valid_and_declares_no_decision_push():
    manifest = load_manifest("returnhub_amazon")
    assert manifest.slug == "amazon" and manifest.kind == "marketplace"
    assert manifest.capabilities.push_decision is False and manifest.capabilities.decisions == ()
    assert manifest.capabilities.auto_accept_fulfilment == ("FBA",) and manifest.capabilities.requires_action is None


def test_settings_mark_secrets_and_explain_every_field():
    fields = AmazonSettings().fields
    secret = {name for name, f in fields.items() if f.metadata.get("secret")}
    assert secret == {"lwa_client_secret", "refresh_token"}
    assert all(fields[name].load_only for name in secret)
    assert all(f.metadata.get("label") and f.metadata.get("help") for f in fields.values())


def _validator(spec: dict, schema: dict) -> Draft4Validator:
    registry = Registry().with_resource(SPEC_URI, Resource(contents=spec, specification=DRAFT4))
    ref = schema.get("$ref", "")
    return Draft4Validator({"$ref": SPEC_URI + ref} if ref else schema, registry=registry,
                           format_checker=Draft4Validator.FORMAT_CHECKER)


def _operation(spec: dict, method: str, path: str) -> tuple[str, dict] | None:
    for template, ops in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in ops:
            return template, ops[method.lower()]
    return None


def test_requests_and_answers_follow_the_reports_api_model(emu, make_adapter, fetch_all, reports_spec):
    emu.add(mfn=[mfn_row("RMASPEC", "302-0000030-0000030", "SKU-S")], fba=[fba_row("171-0000030-0000030", "F", "L1")])
    for operation in ("createReport", "getReport", "getReportDocument"):
        emu.fault(operation, "429")
    emu.fault("download", "expire_url")
    emu.hook("config", {"polls_to_finish": 3})
    adapter = make_adapter()
    adapter.check()
    fetch_all(adapter)
    emu.fault("createReport", "fatal", reason="Internal error")
    emu.fault("createReport", "cancel")
    with pytest.raises(TransientError, match="Internal error"):
        fetch_all(adapter)
    emu.http.get("/reports/2021-06-30/reports/does-not-exist")  # 403: no token
    checked = set()
    for entry in emu.ledger():
        if not entry["path"].startswith("/reports/"):
            continue
        found = _operation(reports_spec, entry["method"], entry["path"])
        assert found, f"{entry['method']} {entry['path']} is not in the Reports API model"
        _, op = found
        assert op["operationId"] == entry["operation"]
        answer = op["responses"].get(str(entry["status"]))
        assert answer, f"{entry['operation']} answered {entry['status']}, not a documented status"
        errors = list(_validator(reports_spec, answer["schema"]).iter_errors(entry["response"]))
        assert not errors, f"{entry['operation']} {entry['status']}: {errors[0].message}"
        if entry["status"] < 300 or entry["status"] == 429:
            assert entry["headers"].get("x-amzn-RateLimit-Limit"), entry["operation"]
        params = {p["name"]: p for p in op.get("parameters", [])}
        assert set(entry["query"]) <= {n for n, p in params.items() if p["in"] == "query"}
        if "body" in params:
            errors = list(_validator(reports_spec, params["body"]["schema"]).iter_errors(entry["body"]))
            assert not errors, f"{entry['operation']} request: {errors[0].message}"
        checked.add((entry["operation"], entry["status"]))
        if entry["operation"] == "getReport" and entry["status"] == 200:
            checked.add(("status", entry["response"]["processingStatus"]))
    assert {("createReport", 202), ("createReport", 429), ("getReport", 200), ("getReport", 429),
            ("getReport", 403), ("getReportDocument", 200), ("getReportDocument", 429), ("getReports", 200),
            ("status", "IN_QUEUE"), ("status", "IN_PROGRESS"), ("status", "DONE"), ("status", "FATAL"),
            ("status", "CANCELLED")} <= checked
