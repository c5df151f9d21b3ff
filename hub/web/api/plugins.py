"""/api/v1/plugins: installed plugins, their status, capabilities and settings fields."""
from __future__ import annotations

from flask_smorest import Blueprint

from hub.secrets import secret_fields
from hub.web.api.schemas import PluginList
from hub.web.api.security import requires
from hub.web.context import hub

blp = Blueprint("api_plugins", __name__, url_prefix="/api/v1", description="Plugins")


def _settings(cls) -> list[dict]:
    if cls is None:
        return []
    schema = cls.settings_schema()
    secret = secret_fields(schema)
    return [{"name": name, "required": field.required, "secret": name in secret, "label": field.metadata.get("label")}
            for name, field in schema.fields.items() if not field.dump_only]


@blp.route("/plugins", methods=["GET"])
@blp.response(200, PluginList)
@requires(None)
def list_plugins():
    """Installed plugins with version, kind, `loaded` / `failed: reason`, capabilities and the settings
    a connection needs. Any valid token."""
    registry = hub().registry
    items = []
    for info in sorted(registry.plugins.values(), key=lambda p: p.name):
        manifest = info.manifest
        cls = registry.marketplaces.get(info.name) if info.kind == "marketplace" else registry.shops.get(info.name)
        items.append({"name": info.name, "title": manifest.title if manifest else None, "kind": info.kind,
                      "version": info.version, "status": info.status,
                      "quality": manifest.quality if manifest else None,
                      "capabilities": manifest.capabilities.as_dict() if manifest else {}, "settings": _settings(cls)})
    return {"items": items}
