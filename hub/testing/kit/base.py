"""What both suites share: the class attributes an author sets, tiers and exemptions, the emulator and
adapters the checks drive, and the checks every plugin passes whatever its kind."""
from __future__ import annotations

import re
import secrets as _secrets
from typing import Any, ClassVar

import pytest

from hub.adapters import AdapterContext, Emulator
from hub.errors import AuthError, TransientError
from hub.manifest import Manifest, load_manifest
from hub.secrets import secret_fields
from hub.testing.kit import rules
from hub.testing.kit.faults import RunningEmulator
from hub.testing.kit.specs import DescriptionCheck, RecordingClientFactory, TrafficRecorder, description_check, report

CHECK_PREFIX = "test_"
MANIFEST_LIMIT = object()  # make_adapter's default: the rate limit the manifest declares


def tier(name: str):
    """Mark a check with the lowest quality tier that requires it."""
    assert name in rules.TIERS

    def mark(fn):
        fn.kit_tier = name
        return fn
    return mark


def fail(check: str, problem: str, fix: str) -> None:
    """Fail a check with its name, what is wrong and what the author should do."""
    pytest.fail(f"[{check}] {problem}\n  How to fix: {fix}", pytrace=False)


class PluginSuite:
    """Base of :class:`MarketplaceSuite` and :class:`ShopSuite`; set the class attributes below.

    ``adapter``: your adapter class (required). ``emulator``: a :class:`hub.adapters.Emulator`
    (default: the one your plugin registers with ``returnhub_register_emulators``).
    ``exemptions``: ``{"check_name": "why it does not apply"}``; a blank reason does not exempt.
    ``settings_overrides``: settings merged over the emulator's (e.g. shorter waits).
    """

    kind: ClassVar[str] = ""
    adapter: ClassVar[type | None] = None
    emulator: ClassVar[Emulator | None] = None
    exemptions: ClassVar[dict[str, str]] = {}
    settings_overrides: ClassVar[dict[str, Any]] = {}

    # -- configuration -------------------------------------------------------------------------
    @classmethod
    def kit_checks(cls) -> dict[str, str]:
        """Every check of this suite with its tier."""
        return {name[len(CHECK_PREFIX):]: getattr(cls, name).kit_tier for name in dir(cls)
                if name.startswith(CHECK_PREFIX) and hasattr(getattr(cls, name), "kit_tier")}

    @classmethod
    def kit_manifest(cls) -> Manifest:
        return load_manifest(rules.manifest_package(cls.adapter))

    @classmethod
    def kit_descriptions(cls) -> DescriptionCheck:
        """The manifest's API descriptions, compiled once per process (``missing``: those not found)."""
        try:
            manifest = cls.kit_manifest()
        except ValueError:
            return DescriptionCheck()
        return description_check(manifest.api_descriptions, rules.package_of(cls.adapter))

    @classmethod
    def kit_emulator(cls) -> Emulator | None:
        if cls.emulator is not None:
            return cls.emulator
        from hub.plugins import load_plugins
        registry = load_plugins(allow=[cls.adapter.slug], strict=False)
        return next((e for e in registry.emulators() if e.slug == cls.adapter.slug), None)

    @pytest.fixture(autouse=True)
    def _kit_gate(self, request):
        """Refuse an incomplete subclass; skip exempted checks and checks above the manifest's tier."""
        cls = type(self)
        name = request.node.name
        if cls.adapter is None:
            pytest.fail(f"{cls.__name__} names no adapter: set `adapter = YourMarketplaceOrShopClass`",
                        pytrace=False)
        check = getattr(request.function, "__name__", name)[len(CHECK_PREFIX):]
        check_tier = getattr(request.function, "kit_tier", None)
        if check_tier is None:
            return  # the author's own extra test in the subclass
        reason = (cls.exemptions or {}).get(check)
        if isinstance(reason, str) and reason.strip():
            pytest.skip(f"[{check}] exempt: {reason.strip()}")
        try:
            quality = cls.kit_manifest().quality
        except ValueError:
            quality = "bronze"
        if rules.tier_rank(check_tier) > rules.tier_rank(quality):
            pytest.skip(f"[{check}] is a {check_tier} check; the manifest declares quality '{quality}'")

    @pytest.fixture
    def hub_plugins(self):
        return [self.adapter.slug]

    @pytest.fixture
    def manifest(self):
        try:
            return type(self).kit_manifest()
        except ValueError as exc:
            fail("manifest_valid", str(exc), "fix manifest.json first; the other checks need it")

    @pytest.fixture
    def running(self, emulator_runner) -> RunningEmulator:
        """The plugin's emulator on loopback, behind the kit's fault injector, with sample data."""
        emulator = type(self).kit_emulator()
        if emulator is None:
            fail("emulator", f"no emulator for '{self.adapter.slug}'",
                 f"set `emulator = Emulator(slug='{self.adapter.slug}', create_app=..., settings=...)` on "
                 f"{type(self).__name__}, or register one with the returnhub_register_emulators hook")
        running = emulator_runner(emulator, demo=not self.kit_seeds())
        self.kit_prepare(running)
        return running

    def kit_seeds(self) -> bool:
        """Whether the subclass seeds its emulator itself (the suites say)."""
        return False

    def kit_prepare(self, running: RunningEmulator) -> None:
        """Put sample data into a freshly started emulator (the suites say how)."""

    def kit_settings(self, running: RunningEmulator, **overrides) -> dict:
        return {**running.settings, **type(self).settings_overrides, **overrides}

    def kit_secrets(self, settings: dict) -> dict[str, str]:
        """The values of the secret settings, for the leak checks."""
        names = secret_fields(self.adapter.settings_schema)
        return {n: str(settings[n]) for n in names if settings.get(n)}

    @pytest.fixture
    def kit_traffic(self) -> TrafficRecorder:
        """Every exchange the check's adapters had with the emulator, held to the API descriptions."""
        return TrafficRecorder()

    @pytest.fixture
    def make_adapter(self, running, clock, redis_conn, kit_traffic):
        """Build the adapter against the emulator, through the core's HTTP client (fake-clock waits),
        limited by the manifest's rate_limit as in production, its traffic recorded."""
        made = []
        try:
            declared = type(self).kit_manifest().rate_limit
        except ValueError:
            declared = None

        def make(settings: dict | None = None, rate_limit=MANIFEST_LIMIT, retries: int = 3):
            raw = settings if settings is not None else self.kit_settings(running)
            limit = declared if rate_limit is MANIFEST_LIMIT else rate_limit
            factory = RecordingClientFactory(
                recorder=kit_traffic, redis=redis_conn, limiter_key=f"kit:{_secrets.token_hex(6)}",
                rate_limit=limit, allow_local=["127.0.0.1"], retries=retries, backoff_base=0.01, timeout=10.0)
            factory.sleep = clock.sleep
            adapter = self.adapter(AdapterContext(settings=self.adapter.settings_schema().load(raw),
                                                  connection_id=1, http_factory=factory))
            adapter.kit_factory = factory
            made.append(adapter)
            return adapter

        yield make
        for adapter in made:
            adapter.close()

    def kit_call(self, adapter):
        """The cheapest real call of the adapter, used by the retry and rate-limit checks."""
        adapter.check()

    def kit_workload(self, make_adapter, running) -> None:
        """The calls a plugin makes in production, for the API description check (the suites say which)."""
        self.kit_call(make_adapter())

    def kit_traffic_violations(self, traffic: TrafficRecorder) -> list:
        """The recorded exchanges' breaches of the manifest's API descriptions (none when none is found)."""
        check = type(self).kit_descriptions()
        return check.violations(traffic.take()) if check.active else []

    # -- checks every plugin passes ------------------------------------------------------------
    @tier("silver")
    def test_traffic_matches_api_description(self, make_adapter, running, manifest, kit_traffic):
        if not manifest.api_descriptions:
            pytest.skip("[traffic_matches_api_description] not applicable: the manifest names no API "
                        'description (add "api_descriptions": [{"path": ..., "format": "openapi", "source": ...}])')
        check = type(self).kit_descriptions()
        if check.missing:
            pytest.skip("[traffic_matches_api_description] " + "; ".join(m.reason for m in check.missing))
        self.kit_workload(make_adapter, running)
        exchanges = kit_traffic.take()
        if not any(check.operation(e)[0] is not None for e in exchanges):
            fail("traffic_matches_api_description", f"none of the {len(exchanges)} requests the adapter sent is "
                 "an operation of the API description", "name the description of the API the adapter calls, "
                 "and let the emulator serve the platform's own paths")
        violations = check.violations(exchanges)
        if violations:
            fail("traffic_matches_api_description", f"{len(violations)} breach(es) of the platform's API "
                 f"description:\n{report(violations)}", "make the adapter send and the emulator answer what "
                 "the description says (the operation, the field path and the rule are named above)")

    @tier("bronze")
    def test_exemptions_have_reasons(self):
        cls = type(self)
        known = cls.kit_checks()
        for check, reason in (cls.exemptions or {}).items():
            if check not in known:
                fail("exemptions_have_reasons", f"exemptions names '{check}', which is not a check of "
                     f"{cls.__mro__[1].__name__}", f"use one of: {', '.join(sorted(known))}")
            if not isinstance(reason, str) or len(reason.strip()) < 10:
                fail("exemptions_have_reasons", f"the exemption of '{check}' has no written reason",
                     f'write why it does not apply: exemptions = {{"{check}": "<the reason>"}}')

    @tier("bronze")
    def test_manifest_valid(self):
        try:
            manifest = type(self).kit_manifest()
        except ValueError as exc:
            fail("manifest_valid", str(exc), "make manifest.json match hub.manifest.ManifestSchema "
                 "(see docs/writing-plugins.md, 'The manifest')")
        if manifest.kind != self.kind:
            fail("manifest_valid", f"the manifest says kind '{manifest.kind}' but {type(self).__name__} "
                 f"certifies a {self.kind}", f"set \"kind\": \"{self.kind}\" or use the other suite")

    @tier("bronze")
    def test_manifest_matches_distribution(self, manifest):
        problems = rules.distribution_problems(self.adapter, manifest)
        from hub.plugins import load_plugins
        if not problems:
            registry = load_plugins(allow=[manifest.slug], strict=False)
            info = registry.plugins.get(manifest.slug)
            table = registry.marketplaces if self.kind == "marketplace" else registry.shops
            if info is None or not info.loaded:
                problems.append(f"the plugin does not load: {info.status if info else 'not found'}")
            elif table.get(manifest.slug) is not self.adapter:
                problems.append(f"the plugin's hook does not register {self.adapter.__name__}")
        if problems:
            fail("manifest_matches_distribution", "; ".join(problems),
                 "distribution returnhub-<slug>, package returnhub_<slug>, entry point <slug> in group "
                 "returnhub.plugins, manifest slug and version equal to those")

    @tier("bronze")
    def test_capabilities_match_methods(self, manifest):
        problems = rules.capability_mismatches(self.adapter, manifest)
        if problems:
            fail("capabilities_match_methods", "; ".join(problems),
                 "declare in manifest.json exactly what the adapter implements, no more and no less")

    @tier("bronze")
    def test_secrets_marked(self):
        problems = rules.unmarked_secrets(self.adapter.settings_schema)
        if problems:
            fail("secrets_marked", "; ".join(problems),
                 "mark credentials in the settings schema: fields.String(load_only=True, "
                 "metadata={'secret': True}) — they are then encrypted at rest and never shown back")

    @tier("gold")
    def test_user_texts_translated(self):
        from hub.plugin_texts import catalogue_file, package_of, untranslated
        missing = untranslated(self.adapter)
        if missing:
            package = package_of(self.adapter)
            fail("user_texts_translated", "; ".join(
                f"{language}: {len(texts)} text(s) untranslated, first {texts[0]!r}" for language, texts in missing.items()),
                f"ship {catalogue_file(package, 'nl')} (and fr, de) with every settings label and help text, "
                f"required action and action step translated: `python -m hub.plugin_texts {package}` writes them "
                "for you to fill in (docs/writing-plugins.md, Translations)")

    @tier("bronze")
    def test_check_accepts_good_credentials(self, make_adapter):
        try:
            make_adapter().check()
        except Exception as exc:
            fail("check_accepts_good_credentials", f"check() with the emulator's settings raised "
                 f"{type(exc).__name__}: {exc}", "check() must succeed with working credentials; "
                 "compare your emulator's settings() with what check() sends")

    @tier("bronze")
    def test_check_rejects_bad_credentials(self, make_adapter, running):
        settings = self.kit_settings(running)
        names = [n for n in secret_fields(self.adapter.settings_schema) if settings.get(n)]
        if not names:
            pytest.skip("[check_rejects_bad_credentials] not applicable: the plugin has no secret settings")
        bad = {**settings, **{n: f"wrong-{settings[n]}" for n in names}}
        try:
            make_adapter(bad).check()
        except AuthError:
            return
        except Exception as exc:
            fail("check_rejects_bad_credentials", f"check() with wrong {', '.join(names)} raised "
                 f"{type(exc).__name__}: {exc}", "raise hub.errors.AuthError for rejected credentials "
                 "(hub.http.raise_for_status does for 401/403), so the connection is paused for the merchant")
        fail("check_rejects_bad_credentials", f"check() accepted wrong {', '.join(names)}",
             "check() must make a real authenticated call, and your emulator must refuse wrong credentials")

    @tier("silver")
    def test_transient_errors_retried(self, make_adapter, running, clock):
        for status, retry_after in ((429, 7), (503, None), (500, None)):
            adapter = make_adapter()
            running.faults.clear()
            clock.slept.clear()
            running.faults.inject(status, count=1, retry_after=retry_after)
            what = f"a {status} answer" + (f" with Retry-After: {retry_after}" if retry_after else "")
            try:
                self.kit_call(adapter)
            except TransientError as exc:
                if retry_after and exc.retry_after != retry_after:
                    fail("transient_errors_retried", f"{what} gave TransientError without its Retry-After "
                         f"(retry_after={exc.retry_after})", "raise errors with hub.http.raise_for_status, "
                         "which keeps Retry-After, or let the core's client retry")
                continue
            except Exception as exc:
                fail("transient_errors_retried", f"{what} was not retried: the call raised "
                     f"{type(exc).__name__}: {exc}", "make requests with self.ctx.http(...) (the core's "
                     "client retries 429/5xx and honours Retry-After) and turn answers into errors with "
                     "hub.http.raise_for_status (429/5xx become TransientError)")
            if not any(f.injected for f in running.seen):
                fail("transient_errors_retried", f"the injected {status} never reached the adapter",
                     "kit_call() must make a real request to the emulator")
            if retry_after and retry_after not in clock.slept:
                fail("transient_errors_retried", f"{what} was retried without waiting {retry_after}s "
                     f"(waits: {clock.slept})", "use self.ctx.http(...), whose retries honour Retry-After")

    @tier("silver")
    def test_auth_errors_not_retried(self, make_adapter, running):
        for status in (401, 403):
            adapter = make_adapter()
            running.faults.clear()
            running.faults.inject(status, count=1000)
            try:
                self.kit_call(adapter)
            except AuthError:
                pass
            except Exception as exc:
                fail("auth_errors_not_retried", f"a {status} answer raised {type(exc).__name__}: {exc}",
                     "raise hub.errors.AuthError for 401/403 (hub.http.raise_for_status does)")
            else:
                fail("auth_errors_not_retried", f"a {status} answer to every request raised nothing",
                     "check the status of every answer with hub.http.raise_for_status")
            counts: dict = {}
            for seen in running.seen:
                counts[(seen.method, seen.path)] = counts.get((seen.method, seen.path), 0) + 1
            repeated = {f"{m} {p}": n for (m, p), n in counts.items() if n > 2}
            if repeated:
                fail("auth_errors_not_retried", f"after {status} the same request was sent again: {repeated}",
                     "do not retry auth errors (at most one token renewal); the core pauses the connection")

    @tier("gold")
    def test_rate_limit_respected(self, make_adapter, running, manifest):
        limit = manifest.rate_limit
        if not limit:
            fail("rate_limit_respected", "the manifest declares no rate_limit",
                 'declare the platform\'s limit: "rate_limit": {"requests": 10, "per_seconds": 1}')
        requests, per = limit["requests"], limit["per_seconds"]
        rate = requests / per
        extra = max(2, min(5, int(5 * rate)))
        adapter = make_adapter(rate_limit=limit)
        self.kit_call(adapter)  # sign-in and other one-off requests
        running.faults.clear()
        for _ in range(requests + extra):
            self.kit_call(adapter)
        times = [s.at for s in running.seen]
        sent = len(times)
        needed = (sent - requests) / rate  # a full bucket lets `requests` through at once, then `rate` a second
        if sent > requests and times[-1] - times[0] < 0.8 * needed:
            fail("rate_limit_respected", f"{sent} requests reached the emulator in {times[-1] - times[0]:.2f}s; "
                 f"the manifest's rate_limit ({requests} per {per:g}s) needs at least {needed:.2f}s",
                 "make every request with self.ctx.http(...): the core's client keeps the manifest's "
                 "rate_limit for each connection across all workers")

def login(client, email: str, password: str):
    """Sign a test client in (the web app needs a CSRF token from the login page)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})

