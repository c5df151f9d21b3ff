"""The static rules of certification: tiers, secret-looking setting names, capabilities vs methods,
and the naming contract between manifest, package, entry point and distribution (docs/architecture.md, Plugins)."""
from __future__ import annotations

import ast
import inspect
import re
import textwrap
from importlib import resources
from importlib.metadata import entry_points

from hub.adapters import Marketplace, Shop
from hub.manifest import MarketplaceCapabilities, ShopCapabilities
from hub.plugins import GROUP
from hub.secrets import secret_fields
from hub.sync import pipeline

TIERS = ("bronze", "silver", "gold")

_SECRET_WORD = re.compile(
    r"(^|_)(secret|password|passwd|pwd|token|apikey|credentials?|signature)(_|$)"
    r"|(api|private|access|secret|signing|encryption|client)_?key($|_)", re.I)
_NOT_A_SECRET = re.compile(r"_(url|uri|ttl|type|name|path|expires|expiry|timeout|interval|length|header)$", re.I)


def tier_rank(tier: str) -> int:
    return TIERS.index(tier)


def looks_secret(name: str) -> bool:
    """A settings field whose name says it holds a credential (``api_key``, ``client_secret``, ...)."""
    return bool(_SECRET_WORD.search(name)) and not _NOT_A_SECRET.search(name)


def unmarked_secrets(schema_cls) -> list[str]:
    """Problems with the secret marking of a settings schema: one sentence per field."""
    schema = schema_cls()
    marked = secret_fields(schema)
    problems = []
    for name, fld in schema.fields.items():
        if looks_secret(name) and name not in marked:
            problems.append(f"field '{name}' looks like a credential but is not marked secret")
        if name in marked and not fld.load_only:
            problems.append(f"secret field '{name}' is not load_only, so it would be shown back")
    return problems


def overrides(cls, base, name: str) -> bool:
    return getattr(cls, name, None) is not getattr(base, name)


def only_raises(fn) -> bool:
    """Whether a method's body is nothing but a ``raise`` (after its docstring): it refuses, not implements."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)) \
        else None
    if not body:
        return False
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def implements(cls, base, name: str) -> bool:
    """``cls`` overrides ``base.name`` with a body that does something; an override that only raises
    (say a clear "this platform takes no decisions" error) refuses the capability."""
    return overrides(cls, base, name) and not only_raises(getattr(cls, name))


def capability_mismatches(cls, manifest) -> list[str]:
    """Where the manifest's capabilities and the adapter's implemented methods disagree, both ways.

    Which method each capability stands for is read from the pipeline's step table
    (``hub.sync.pipeline.STEPS``): a method called under a capability guard must be implemented
    exactly when the manifest declares it; one called unguarded every adapter of the kind needs.
    """
    caps = manifest.capabilities
    base = Marketplace if manifest.kind == "marketplace" else Shop
    sides = (caps, ShopCapabilities()) if manifest.kind == "marketplace" else (MarketplaceCapabilities(), caps)
    problems = []
    if not overrides(cls, base, "check"):
        problems.append(f"{cls.__name__} does not implement check(), which every {manifest.kind} needs")
    for method, guards in pipeline.adapter_methods(manifest.kind).items():
        if pipeline.ALWAYS in guards:
            if not overrides(cls, base, method):
                problems.append(f"{cls.__name__} does not implement {method}(), which every {manifest.kind} needs")
            continue
        declared = [guard for guard in guards if guard(*sides)]
        what = (declared or guards)[0].declared_as
        implemented = implements(cls, base, method)
        if declared and not implemented:
            problems.append(f"the manifest declares {what} but {cls.__name__} does not implement {method}()")
        elif implemented and not declared:
            problems.append(f"{cls.__name__} implements {method}() but the manifest does not declare {what}")
    if manifest.kind == "marketplace":
        if caps.push_decision and not caps.decisions:
            problems.append("push_decision is true but 'decisions' lists none the marketplace accepts")
        if caps.per_line_push and not caps.push_decision:
            problems.append("per_line_push is true but push_decision is false")
    else:
        if not caps.decisions:
            problems.append("'decisions' lists none the shop can express")
    return problems


def package_of(cls) -> str:
    return cls.__module__.split(".")[0]


def manifest_package(cls) -> str:
    """The innermost package around ``cls`` that holds a manifest.json (the plugin's own package; for a
    plugin built into the core, such as the api shop, its folder under hub.default_plugins)."""
    parts = cls.__module__.split(".")
    for end in range(len(parts), 0, -1):
        package = ".".join(parts[:end])
        try:
            if (resources.files(package) / "manifest.json").is_file():
                return package
        except (ModuleNotFoundError, TypeError):
            continue
    return package_of(cls)


def distribution_problems(cls, manifest) -> list[str]:
    """Slug, package, entry point and distribution must follow ``returnhub-<slug>`` / ``returnhub_<slug>``."""
    package = package_of(cls)
    slug = manifest.slug
    problems = []
    if getattr(cls, "slug", None) != slug:
        problems.append(f"{cls.__name__}.slug is {getattr(cls, 'slug', None)!r}, the manifest's slug is {slug!r}")
    if package != f"returnhub_{slug}":
        problems.append(f"the package is '{package}'; name it 'returnhub_{slug}' after the manifest slug")
    ours = [ep for ep in entry_points(group=GROUP) if ep.value.split(":")[0].split(".")[0] == package]
    if not ours:
        problems.append(f"no '{GROUP}' entry point points into '{package}': add to setup.cfg\n"
                        f"  [options.entry_points]\n  {GROUP} =\n      {slug} = {package}.plugin\n"
                        "and reinstall the plugin (pip install -e .)")
        return problems
    for ep in ours:
        if ep.name != slug:
            problems.append(f"entry point '{ep.name} = {ep.value}' must be named after the slug: '{slug}'")
        dist = ep.dist
        if dist is None:
            continue
        name = re.sub(r"[-_.]+", "-", dist.name).lower()
        if name != f"returnhub-{slug.replace('_', '-')}":
            problems.append(f"the distribution is named '{dist.name}'; name it 'returnhub-{slug}'")
        if dist.version != manifest.version:
            problems.append(f"manifest version {manifest.version} differs from the distribution's {dist.version}: "
                            "keep them equal (setup.cfg 'version = attr: <package>.__version__')")
    return problems
