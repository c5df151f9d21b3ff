"""The conformance kit tests itself: good fixture plugins pass every check up to gold, and each
deliberately broken one fails the one check its flaw breaks, naming it and saying what to fix."""
from __future__ import annotations

import shutil
from pathlib import Path

# Imported here so every inner run shares them: pytester drops modules first imported inside a run,
# and a re-imported hub.errors (or httpcore, whose exceptions httpx maps by class) would make an
# error raised in one run a different class from the one caught in another.
import httpcore  # noqa: F401
import pytest

import hub.accounts
import hub.app
import hub.sync.importing
import hub.sync.jobs
import hub.testing.kit
import hub.testing.kit.plugin  # noqa: F401

pytest_plugins = ["pytester"]

KIT = Path(__file__).parent / "fixture_plugins" / "kit"


def install(site: Path) -> None:
    """Copy the fixture packages into ``site`` with a .dist-info each, as pip would leave them."""
    for package in sorted(p for p in KIT.iterdir() if p.is_dir() and p.name.startswith("returnhub_")):
        shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        slug = package.name[len("returnhub_"):]
        info = site / f"returnhub_{slug}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: returnhub-{slug}\nVersion: 0.1.0\n")
        (info / "entry_points.txt").write_text(f"[returnhub.plugins]\n{slug} = returnhub_{slug}.plugin\n")


@pytest.fixture
def kit(pytester):
    site = pytester.mkdir("site")
    install(site)
    pytester.syspathinsert(site)
    return pytester


def certify(pytester, suite: str, imports: str, body: str, *args):
    pytester.makepyfile(test_certify=f"""
pytest_plugins = ["hub.testing"]
from hub.testing import {suite}
{imports}


class TestCertify({suite}):
{body}
""")
    return pytester.runpytest("-p", "no:cacheprovider", "-rs", "-W", "ignore::pytest.PytestAssertRewriteWarning", *args)


GOOD_MARKET = """
    adapter = KitMarketplace

    def seed_returns(self, app, count):
        emulator.seed(app, count)

    def pushed_decisions(self, app, ret):
        return {line: DECISIONS[outcome] for line, outcome in emulator.pushed(app, ret.external_id).items()}
"""
MARKET_IMPORTS = "from returnhub_kitmarket import emulator\nfrom returnhub_kitmarket.adapter import DECISIONS"


def test_good_marketplace_passes_every_check(kit):
    result = certify(kit, "MarketplaceSuite", MARKET_IMPORTS + "\nfrom returnhub_kitmarket.adapter import KitMarketplace",
                     GOOD_MARKET)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 15 and "skipped" not in outcomes, result.stdout.str()


def test_good_shop_passes_every_check(kit):
    result = certify(kit, "ShopSuite", "from returnhub_kitshop import emulator\n"
                     "from returnhub_kitshop.adapter import KitShop, WORDS", """
    adapter = KitShop

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        emulator.decide(app, shop_return_id, WORDS[decision.value])
""")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 12 and outcomes.get("skipped") == 1, result.stdout.str()
    assert "[traffic_matches_api_description] not applicable: the manifest names no API description" \
        in result.stdout.str()


BROKEN = [
    ("kitunmarked", "secrets_marked", "field 'api_key' looks like a credential but is not marked secret",
     "metadata={'secret': True}"),
    ("kitnopush", "capabilities_match_methods",
     "the manifest declares push_decision: true but Adapter does not implement push_decision()",
     "declare in manifest.json exactly what the adapter implements"),
    ("kitunstable", "external_ids_stable", "fetching the same returns twice gave different external_ids",
     "derive external_id from the platform's own return id only"),
    ("kitjobleak", "secrets_never_leak", "secret 'api_key' in the arguments of job returnhub_kitjobleak.adapter.refresh",
     "jobs take only ids"),
    ("kitnoretry", "transient_errors_retried",
     "a 429 answer with Retry-After: 7 was not retried: the call raised PermanentError", "self.ctx.http(...)"),
    ("kitnowait", "transient_errors_retried",
     "a 429 answer with Retry-After: 7 was retried without waiting 7s (waits: [])", "honour Retry-After"),
    ("kitnofield", "traffic_matches_api_description", "1 breach(es) of the platform's API description",
     "listReturns (GET /returns) → 200: the emulator's response: body.page: required: 'page' is a required property"),
]


@pytest.mark.parametrize("slug, check, problem, fix", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_plugin_fails_its_check(kit, slug, check, problem, fix):
    result = certify(kit, "MarketplaceSuite", f"from returnhub_{slug}.adapter import Adapter",
                     "    adapter = Adapter\n", "-k", f"test_{check}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1 and not outcomes.get("passed"), result.stdout.str()
    out = result.stdout.str()
    assert f"TestCertify.test_{check}" in out and f"[{check}] {problem}" in out and "How to fix:" in out, out
    assert fix in out, out


def test_untranslated_plugin_texts_fail_their_check(kit):
    """The good marketplace without its French catalogue fails the gold translation check, naming what is missing."""
    (kit.path / "site" / "returnhub_kitmarket" / "translations" / "fr" / "LC_MESSAGES" / "returnhub_kitmarket.po").unlink()
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace",
                     "    adapter = KitMarketplace\n", "-k", "test_user_texts_translated")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "[user_texts_translated] fr: 2 text(s) untranslated, first 'API base URL'" in out, out
    assert "python -m hub.plugin_texts returnhub_kitmarket" in out and "nl:" not in out, out


def test_exemption_needs_a_written_reason(kit):
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace", """
    adapter = KitMarketplace
    exemptions = {"pagination_reaches_every_return": " ", "decisions_round_trip": "this emulator cannot record decisions"}
""", "-k", "exemptions or pagination or round_trip")
    out = result.stdout.str()
    result.assert_outcomes(failed=2, skipped=1)
    assert "the exemption of 'pagination_reaches_every_return' has no written reason" in out
    assert "define seed_returns(self, app, count)" in out  # a blank reason exempts nothing
    assert "[decisions_round_trip] exempt: this emulator cannot record decisions" in out


def test_unknown_exemption_is_refused(kit):
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace", """
    adapter = KitMarketplace
    exemptions = {"pagination": "a typo of the check's name"}
""", "-k", "exemptions")
    result.assert_outcomes(failed=1)
    assert "exemptions names 'pagination', which is not a check of MarketplaceSuite" in result.stdout.str()


def test_checks_above_the_manifest_quality_are_skipped(kit):
    manifest = kit.path / "site" / "returnhub_kitmarket" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"quality": "gold"', '"quality": "bronze"'))
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace",
                     "    adapter = KitMarketplace\n", "-k", "pagination or rate_limit or secrets_marked")
    result.assert_outcomes(passed=1, skipped=2)
    out = result.stdout.str()
    assert "[pagination_reaches_every_return] is a silver check; the manifest declares quality 'bronze'" in out
    assert "[rate_limit_respected] is a gold check" in out


def test_suite_without_adapter_says_what_to_set(kit):
    result = certify(kit, "ShopSuite", "", "    pass\n", "-k", "manifest_valid")
    result.assert_outcomes(errors=1)
    assert "TestCertify names no adapter: set `adapter = YourMarketplaceOrShopClass`" in result.stdout.str()


def test_a_method_that_only_refuses_is_not_an_implemented_capability():
    """An ingest-only marketplace (Amazon: push_decision false) may override push_decision just to raise a
    clear error; an override that does something still has to be declared, and a declared one implemented."""
    from types import SimpleNamespace

    from hub.adapters import Marketplace
    from hub.errors import PermanentError
    from hub.manifest import MarketplaceCapabilities
    from hub.testing.kit.rules import capability_mismatches

    class Refuses(Marketplace):
        def check(self):
            return None

        def fetch_returns(self, cursor):
            return None

        def push_decision(self, ret, lines):
            """This platform takes no decisions."""
            raise PermanentError("no decision API")

    class Pushes(Refuses):
        def push_decision(self, ret, lines):
            self.sent = lines

    ingest_only = SimpleNamespace(kind="marketplace", capabilities=MarketplaceCapabilities(push_decision=False))
    takes = SimpleNamespace(kind="marketplace",
                            capabilities=MarketplaceCapabilities(push_decision=True, decisions=("accepted",)))
    assert capability_mismatches(Refuses, ingest_only) == []
    assert capability_mismatches(Pushes, ingest_only) == [
        "Pushes implements push_decision() but the manifest does not declare push_decision: true"]
    assert capability_mismatches(Refuses, takes) == [
        "the manifest declares push_decision: true but Refuses does not implement push_decision()"]


def test_a_platform_error_inside_a_check_fails_that_check_by_name_and_adapters_keep_the_manifest_limit(kit):
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace", """
    adapter = KitMarketplace

    def kit_prepare(self, running):
        running.faults.inject(503, count=1000)   # the platform is down for the whole check

    def test_adapters_get_the_manifest_rate_limit(self, make_adapter):
        limiter = make_adapter().kit_factory.limiter
        assert (limiter.capacity, limiter.rate) == (20, 20.0)
        assert make_adapter(rate_limit=None).kit_factory.limiter is None
""", "-k", "returns_validate or manifest_rate_limit")
    out = result.stdout.str()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1 and outcomes.get("passed") == 1, out
    assert "[returns_validate] the adapter raised TransientError during the check" in out, out
    assert "How to fix:" in out and "Traceback" not in out, out


def test_a_marketplace_without_a_reason_mapping_fails_reasons_mapped(kit):
    """No reasons.py (nor reason_map): the check fails, it does not skip."""
    (kit.path / "site" / "returnhub_kitmarket" / "reasons.py").unlink()
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace",
                     "    adapter = KitMarketplace\n", "-k", "test_reasons_mapped")
    out = result.stdout.str()
    assert result.parseoutcomes().get("failed") == 1, out
    assert "[reasons_mapped] the plugin declares no mapping of its return reasons" in out and "REASONS = {}" in out


def test_a_reason_the_emulator_can_send_unmapped_fails_reasons_mapped(kit):
    """A code of the emulator's vocabulary (reason_samples) the mapping lacks fails, even when no poll found it."""
    (kit.path / "site" / "returnhub_kitmarket" / "reasons.py").write_text('REASONS = {"SIZE": "too_small"}\n')
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace",
                     "    adapter = KitMarketplace\n    reason_samples = [('SIZE', None), ('BROKEN', None)]\n",
                     "-k", "test_reasons_mapped")
    out = result.stdout.str()
    assert result.parseoutcomes().get("failed") == 1, out
    assert "return reasons without a canonical reason: [('BROKEN', None)]" in out, out
    result = certify(kit, "MarketplaceSuite", "from returnhub_kitmarket.adapter import KitMarketplace",
                     "    adapter = KitMarketplace\n", "-k", "test_reasons_mapped")
    assert "the suite lists no reason_samples" in result.stdout.str(), result.stdout.str()
