"""Finding, validating and loading plugins; the registry of their adapters.

Each plugin is an entry point in group ``returnhub.plugins`` naming its hook module, or one of the
core's ``DEFAULT_PLUGINS`` (``hub/default_plugins``), loaded the same way under the same lists. Its
``manifest.json`` is read and validated before that module is imported; each plugin loads in its
own try/except so one broken plugin is listed as ``failed: <reason>`` and the rest go on
(``strict`` re-raises, as tests do). A plugin is checked on its own as it registers: a hook name the
core does not specify fails that plugin, not the others.

Hooks are called through pluggy, so each implementation receives only the arguments it names, but
plugin by plugin (:meth:`Registry._call_each`): one plugin's exception never keeps the others from
being called.
"""
from __future__ import annotations

import difflib
import importlib
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pluggy

from hub import hookspecs
from hub.adapters import Adapter, Emulator, Marketplace, Shop
from hub.manifest import Manifest, load_manifest

log = logging.getLogger(__name__)
GROUP = "returnhub.plugins"
# (name, package) of the plugins shipped in hub/default_plugins: loaded like entry points, same lists.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (("api", "hub.default_plugins.api_shop"),)


@dataclass
class PluginInfo:
    """What ``returnhub plugins`` and the Plugins page show of one plugin."""

    name: str
    version: str | None = None
    kind: str | None = None
    status: str = "loaded"
    manifest: Manifest | None = None
    distribution: str | None = None

    @property
    def loaded(self) -> bool:
        return self.status == "loaded"


@dataclass
class Registry:
    """The plugin manager and the adapters its plugins registered, by slug."""

    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    marketplaces: dict[str, type[Marketplace]] = field(default_factory=dict)
    shops: dict[str, type[Shop]] = field(default_factory=dict)

    def marketplace(self, slug: str) -> type[Marketplace]:
        try:
            return self.marketplaces[slug]
        except KeyError:
            raise LookupError(f"marketplace plugin '{slug}' is not installed or failed to load") from None

    def shop(self, slug: str) -> type[Shop]:
        try:
            return self.shops[slug]
        except KeyError:
            raise LookupError(f"shop plugin '{slug}' is not installed or failed to load") from None

    def emulators(self) -> list[Emulator]:
        return [e for _name, items in self._collect("returnhub_register_emulators") for e in items or []]

    def blueprints(self):
        """(plugin name, blueprint) pairs from every loaded plugin."""
        return [(name, bp) for name, items in self._collect("returnhub_register_blueprints") for bp in items or []]

    def notify_transition(self, ret, event) -> None:
        """Announce a committed transition to every observer; one observer's exception is logged, the rest run."""
        for name, _result, exc in self._call_each("returnhub_return_transition", ret=ret, event=event):
            if exc is not None:
                log.error("plugin %s failed in returnhub_return_transition", name, exc_info=exc)

    def _call_each(self, hook_name: str, **kwargs):
        """Call one hook plugin by plugin through pluggy (each implementation gets only the arguments
        it names); yields (plugin name, its answer or None, the exception it raised or None)."""
        hook = getattr(self.pm.hook, hook_name)
        impls = hook.get_hookimpls()
        for impl in impls:
            others = [other.plugin for other in impls if other.plugin is not impl.plugin]
            try:
                answers = self.pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
            except Exception as exc:
                yield impl.plugin_name, None, exc
            else:
                yield impl.plugin_name, answers[0] if answers else None, None

    def _collect(self, hook_name: str, strict: bool = False):
        """Call one hook per plugin, isolating failures; (plugin name, result) of those that answered."""
        results = []
        for name, result, exc in list(self._call_each(hook_name)):
            if exc is None:
                results.append((name, result))
            elif strict:
                raise exc
            else:
                self._fail(name, f"{hook_name} raised {type(exc).__name__}: {exc}")
        return results

    def _fail(self, name: str, reason: str) -> None:
        """List plugin ``name`` as failed and take it out: its hooks no longer run, its adapters are gone."""
        info = self.plugins.setdefault(name, PluginInfo(name=name))
        info.status = f"failed: {reason}"
        log.error("plugin %s failed: %s", name, reason)
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        self.marketplaces.pop(name, None)
        self.shops.pop(name, None)


def load_plugins(allow: list[str] | None = None, block: list[str] | tuple = (), strict: bool = False,
                 extra: list[tuple[str, object]] = ()) -> Registry:
    """Build the registry from the default plugins, installed entry points and ``extra`` modules."""
    pm = pluggy.PluginManager("returnhub")
    pm.add_hookspecs(hookspecs)
    registry = Registry(pm=pm)
    for name, package in DEFAULT_PLUGINS:
        if (allow is not None and name not in allow) or name in block:
            registry.plugins[name] = PluginInfo(name=name, status="disabled", distribution="returnhub")
            continue
        _load_one(registry, name, f"{package}.plugin", lambda p=package: importlib.import_module(f"{p}.plugin"),
                  None, strict, manifest_package=package)
        registry.plugins[name].distribution = "returnhub"
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if (allow is not None and ep.name not in allow) or ep.name in block:
            registry.plugins[ep.name] = PluginInfo(name=ep.name, status="disabled",
                                                   distribution=ep.dist.name if ep.dist else None)
            continue
        _load_one(registry, ep.name, ep.value.split(":")[0], ep.load, ep.dist, strict)
    for name, module in extra:
        _load_one(registry, name, module.__name__, lambda m=module: m, None, strict)
    _register_adapters(registry, strict)
    return registry


def _load_one(registry: Registry, name: str, module_path: str, load, dist, strict: bool,
              manifest_package: str | None = None) -> None:
    info = PluginInfo(name=name, distribution=dist.name if dist else None)
    registry.plugins[name] = info
    try:
        manifest = load_manifest(manifest_package or module_path.split(".")[0])
        if manifest.slug != name:
            raise ValueError(f"manifest slug '{manifest.slug}' differs from entry point name '{name}'")
        if dist is not None and dist.version != manifest.version:
            raise ValueError(f"manifest version {manifest.version} differs from distribution {dist.version}")
        info.manifest, info.version, info.kind = manifest, manifest.version, manifest.kind
        plugin = load()
        registry.pm.register(plugin, name=name)
        _check_hook_names(registry.pm, plugin, name)
    except Exception as exc:
        if strict:
            raise
        info.status = f"failed: {exc}"
        log.error("plugin %s failed to load: %s", name, exc)


def _check_hook_names(pm: pluggy.PluginManager, plugin, name: str) -> None:
    """Refuse a plugin implementing a hook the core does not specify (a misspelt name would never be
    called); it is unregistered again, so it fails alone."""
    unknown = [caller.name for caller in pm.get_hookcallers(plugin) or []
               if not caller.has_spec() and not all(impl.optionalhook for impl in caller.get_hookimpls())]
    if not unknown:
        return
    pm.unregister(plugin, name=name)
    known = sorted(spec for spec in vars(hookspecs) if spec.startswith("returnhub_"))
    reasons = []
    for hook in sorted(unknown):
        close = difflib.get_close_matches(hook, known, n=1)
        reasons.append(f"{hook} is not a Returnhub hook" + (f" (did you mean {close[0]}?)" if close else ""))
    raise pluggy.PluginValidationError(plugin, "; ".join(reasons))


def _register_adapters(registry: Registry, strict: bool) -> None:
    for hook, kind, target in (("returnhub_register_marketplaces", "marketplace", registry.marketplaces),
                               ("returnhub_register_shops", "shop", registry.shops)):
        for plugin_name, classes in registry._collect(hook, strict):
            info = registry.plugins.get(plugin_name)
            classes = list(classes or [])
            problem = next(filter(None, (_adapter_problem(cls, info, kind) for cls in classes)), None)
            if problem:  # one bad class fails the whole plugin: none of its adapters are registered
                if strict:
                    raise ValueError(f"plugin {plugin_name}: {problem}")
                registry._fail(plugin_name, problem)
                continue
            for cls in classes:
                cls.manifest = info.manifest
                target[cls.slug] = cls


def _adapter_problem(cls, info: PluginInfo | None, kind: str) -> str | None:
    base = Marketplace if kind == "marketplace" else Shop
    if not (isinstance(cls, type) and issubclass(cls, base)):
        return f"{cls!r} is not a {base.__module__}.{base.__name__} subclass"
    if info is None or info.manifest is None:
        return f"{cls.__name__} registered by a plugin without a manifest"
    if info.manifest.kind != kind:
        return f"{cls.__name__} is a {kind} adapter but the manifest says kind '{info.manifest.kind}'"
    if getattr(cls, "slug", None) != info.manifest.slug:
        return f"{cls.__name__}.slug '{getattr(cls, 'slug', None)}' differs from manifest slug '{info.manifest.slug}'"
    if not isinstance(getattr(cls, "settings_schema", None), type):
        return f"{cls.__name__} has no settings_schema"
    return None


__all__ = ["Adapter", "PluginInfo", "Registry", "load_plugins"]
