"""Find a manifest's API descriptions (RETURNHUB_SPECS_DIR, else inside the plugin package) and compile
each once per process: bol's 470 KB or Mirakl's 2.6 MB document is parsed and built a single time."""
from __future__ import annotations

import gzip
import json
import os
import threading
from importlib import resources
from pathlib import Path

FORMATS = ("openapi", "swagger", "graphql")
SPECS_DIR_ENV = "RETURNHUB_SPECS_DIR"

_cache: dict[tuple, object] = {}
_lock = threading.Lock()


def locate(entry: dict, package: str) -> Path | None:
    """The file a manifest entry names: under ``$RETURNHUB_SPECS_DIR`` first, then inside ``package``."""
    folder = os.environ.get(SPECS_DIR_ENV)
    if folder and (Path(folder) / entry["path"]).is_file():
        return Path(folder) / entry["path"]
    try:
        inside = resources.files(package) / entry["path"]
    except ModuleNotFoundError:
        return None
    return Path(str(inside)) if inside.is_file() else None


def how_to_enable(entry: dict, package: str) -> str:
    """What to do when a description is not found, for the skip reason."""
    where = f"${SPECS_DIR_ENV}/{entry['path']}" if os.environ.get(SPECS_DIR_ENV) else \
        f"{SPECS_DIR_ENV} is not set"
    source = f" (it comes from {entry['source']})" if entry.get("source") else ""
    return (f"the API description {entry['path']}{source} was not found ({where}; not in {package} either): "
            f"set {SPECS_DIR_ENV} to the folder holding the shared specs, or ship the file at "
            f"{package}/{entry['path']}")


def _read(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def _parse(path: Path, text: str):
    stem = path.name[:-3] if path.name.endswith(".gz") else path.name
    if stem.endswith((".yaml", ".yml")):
        import yaml
        return yaml.safe_load(text)
    return json.loads(text)


def _compile(path: Path, fmt: str):
    from hub.testing.kit.specs.graphql_schema import GraphQLDescription
    from hub.testing.kit.specs.openapi import OpenAPIDescription
    from hub.testing.kit.specs.swagger import SwaggerDescription
    text = _read(path)
    if fmt == "graphql":
        stem = path.name[:-3] if path.name.endswith(".gz") else path.name
        if stem.endswith((".graphql", ".graphqls", ".gql")):
            return GraphQLDescription.from_sdl(text)
        return GraphQLDescription.from_introspection(json.loads(text))
    doc = _parse(path, text)
    if fmt == "swagger" or str(doc.get("swagger", "")).startswith("2"):
        return SwaggerDescription(doc, path.name)
    return OpenAPIDescription(doc, path.name)


def load(path: Path, fmt: str):
    """The compiled description at ``path``: built on first use, then the same object for the process."""
    key = (str(path.resolve()), fmt, path.stat().st_mtime_ns)
    with _lock:
        if key not in _cache:
            if fmt not in FORMATS:
                raise ValueError(f"unknown API description format {fmt!r}: use one of {', '.join(FORMATS)}")
            _cache[key] = _compile(path, fmt)
        return _cache[key]
