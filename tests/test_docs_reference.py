"""docs/writing-plugins.md stays true: its generated references are current, every canonical field, adapter
method and capability is in it, and its links lead somewhere."""
from __future__ import annotations

import dataclasses
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub import adapters
from hub.manifest import MarketplaceCapabilities
from hub.model import schemas

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDE = DOCS / "writing-plugins.md"
TEMPLATE_README = ROOT / "plugin_template" / "{{cookiecutter.__dist_name}}" / "README.md"


@pytest.fixture(scope="module")
def text() -> str:
    return GUIDE.read_text(encoding="utf-8")


@pytest.fixture
def docs_module(monkeypatch):
    """Import a generator from docs/ (they are scripts, not a package)."""
    monkeypatch.syspath_prepend(str(DOCS))

    def load(name: str):
        sys.modules.pop(name, None)
        return importlib.import_module(name)
    yield load
    for name in ("modelref", "adapterref", "hookref", "docgen"):
        sys.modules.pop(name, None)


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("generator", ["modelref.py", "adapterref.py", "hookref.py"])
def test_generated_sections_are_current(generator):
    check = subprocess.run([sys.executable, str(DOCS / generator), "--check"], check=False,
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stderr


def test_every_canonical_field_has_a_row(text):
    for schema in (schemas.ReturnSchema, schemas.LineSchema, schemas.CustomerSchema, schemas.AddressSchema,
                   schemas.LineDecisionSchema):
        section = text.split(f"(`{schema.__name__}` →", 1)[1].split("\n### ", 1)[0]
        for name in schema().fields:
            assert re.search(rf"^\| `{name}` \|", section, re.M), f"{schema.__name__}.{name} is not in the guide"


def test_a_field_without_a_note_fails_the_check(docs_module, monkeypatch):
    modelref = docs_module("modelref")
    assert modelref.problems() == []
    monkeypatch.delitem(modelref.NOTES, "LineSchema.ean")
    monkeypatch.setitem(modelref.NOTES, "LineSchema.colour", "a field the model does not have")
    assert modelref.problems() == ["no note for LineSchema.ean in docs/modelref.py NOTES",
                                   "NOTES in docs/modelref.py names LineSchema.colour, which the model no longer has"]


def test_every_adapter_method_is_in_the_reference(text):
    reference = text.split("## Adapter reference", 1)[1].split("## Hook reference", 1)[0]
    for cls in (adapters.Adapter, adapters.Marketplace, adapters.Shop):
        for name, attr in vars(cls).items():
            if not name.startswith("_") and (callable(attr) or isinstance(attr, adapters.classproperty)):
                assert f"#### `{name}" in reference, f"{cls.__name__}.{name} is not in the adapter reference"
    for cls in (adapters.WebhookResult, adapters.Emulator, adapters.AdapterContext):
        for field in dataclasses.fields(cls):
            assert f"- `{field.name}`:" in reference, f"{cls.__name__}.{field.name} is not in the reference"


def test_an_undocumented_method_fails_the_check(docs_module, monkeypatch):
    adapterref = docs_module("adapterref")
    assert adapterref.problems() == []

    class Bare(adapters.Marketplace):
        """A marketplace with one undocumented method."""

        def fetch_returns(self, cursor):
            return None

    monkeypatch.setattr(adapterref, "CLASSES", [Bare])
    assert adapterref.problems() == [f"Bare.fetch_returns has no docstring: write one in {__name__}"]


def test_every_capability_is_explained(text):
    section = text.split("## Capabilities: what the core does with each", 1)[1].split("\n## ", 1)[0]
    for field in dataclasses.fields(MarketplaceCapabilities):
        assert f"- **`{field.name}`**" in section, f"capability {field.name} is not explained"


def test_the_contents_lead_to_headings(text):
    headings = {anchor(h) for h in re.findall(r"^#{2,3} (.+)$", text, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) > 14
    assert not [link for link in links if link not in headings]


def test_the_template_readme_links_the_guide_and_its_signed_example(text):
    readme = TEMPLATE_README.read_text(encoding="utf-8")
    linked = re.findall(r"docs/writing-plugins\.md#([\w-]+)", readme)
    assert "a-worked-example-a-signed-api" in linked
    headings = {anchor(h) for h in re.findall(r"^#{2,3} (.+)$", text, re.M)}
    assert set(linked) <= headings
