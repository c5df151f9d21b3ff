"""plugin_template/ bakes complete plugins that pass the conformance kit before the author changes anything."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import httpcore  # noqa: F401  (shared by the inner pytest runs; see test_conformance_kit.py)
import pytest
from click.testing import CliRunner

import hub.app  # noqa: F401
import hub.sync.jobs  # noqa: F401
import hub.testing.kit  # noqa: F401
import hub.testing.kit.plugin  # noqa: F401
from hub.cli import main
from hub.manifest import ManifestSchema

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "plugin_template"

ANSWERS = [
    {"platform_name": "Example Market"},
    {"platform_name": "Kaufland Global", "kind": "marketplace", "auth": "basic"},
    {"platform_name": "Acme Shop", "kind": "shop", "auth": "bearer_token"},
    {"platform_name": "Shopware 6", "slug": "shopware6", "kind": "shop", "auth": "api_key"},
]


def files(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.parametrize("answers", ANSWERS, ids=lambda a: a["platform_name"])
def test_bakes_a_complete_plugin(cookies, answers):
    result = cookies.bake(extra_context=answers, template=str(TEMPLATE))
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    slug = answers.get("slug") or answers["platform_name"].lower().replace(" ", "_")
    package = f"returnhub_{slug}"
    assert project.name == f"returnhub-{slug.replace('_', '-')}"
    assert files(project) == {
        "setup.cfg", "pyproject.toml", "README.md", ".github/workflows/test.yml",
        f"{package}/__init__.py", f"{package}/manifest.json", f"{package}/plugin.py", f"{package}/client.py",
        f"{package}/adapter.py", f"{package}/emulator.py", f"{package}/reasons.py",
        "tests/conftest.py", "tests/test_conformance.py", "tests/test_emulator.py"}
    setup = (project / "setup.cfg").read_text()
    assert f"returnhub.plugins =\n    {slug} = {package}.plugin" in setup and "returnhub[testing]" in setup
    manifest = ManifestSchema().load(json.loads((project / package / "manifest.json").read_text()))
    kind = answers.get("kind", "marketplace")
    assert (manifest.slug, manifest.kind, manifest.quality) == (slug, kind, "bronze")
    suite = "MarketplaceSuite" if kind == "marketplace" else "ShopSuite"
    assert f"class Test{answers['platform_name'].title().replace(' ', '')}Conformance({suite})" in \
        (project / "tests" / "test_conformance.py").read_text()
    assert "${{ matrix.python }}" in (project / ".github/workflows/test.yml").read_text()
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E,W", "--line-length", "120",
                           "--isolated", str(project)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_refuses_a_bad_slug(cookies):
    result = cookies.bake(extra_context={"slug": "Bad Slug"}, template=str(TEMPLATE))
    assert result.exit_code != 0 and result.project_path is None


def test_cli_wraps_the_template(tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["plugin", "new", "--no-input", "-o", str(tmp_path), "kind=shop",
                                "platform_name=Acme Shop"])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "returnhub-acme-shop" / "returnhub_acme_shop" / "adapter.py").is_file()
    refused = runner.invoke(main, ["plugin", "new", "--no-input", "-o", str(tmp_path), "slug=Bad Slug"])
    assert refused.exit_code == 1 and "the plugin was not generated" in refused.output
    assert runner.invoke(main, ["plugin", "new", "-o", str(tmp_path), "kind"]).exit_code == 2


def _as_installed(site: Path, project: Path, slug: str) -> None:
    """Put the baked package on a path with a .dist-info, as an install would (no pip, no network)."""
    package = f"returnhub_{slug}"
    shutil.copytree(project / package, site / package)
    info = site / f"{package}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: returnhub-{slug}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[returnhub.plugins]\n{slug} = {package}.plugin\n")


@pytest.mark.parametrize("answers", [ANSWERS[1], ANSWERS[2]], ids=["marketplace", "shop"])
def test_baked_plugin_passes_bronze_out_of_the_box(cookies, pytester, answers):
    project = Path(cookies.bake(extra_context=answers, template=str(TEMPLATE)).project_path)
    slug = answers["platform_name"].lower().replace(" ", "_")
    site = pytester.mkdir("site")
    _as_installed(site, project, slug)
    pytester.syspathinsert(site)
    for test in (project / "tests").iterdir():
        shutil.copy(test, pytester.path / test.name)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 10, result.stdout.str()


@pytest.mark.skipif(not os.environ.get("RETURNHUB_SLOW_TESTS"), reason="slow (a fresh venv, ~1 min): "
                    "set RETURNHUB_SLOW_TESTS=1, as CI does")
def test_slow_baked_plugin_installs_and_passes_in_a_fresh_venv(cookies, tmp_path):
    project = Path(cookies.bake(extra_context=ANSWERS[0], template=str(TEMPLATE)).project_path)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    clean = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", f"{ROOT}[testing]",
                              "-e", f"{project}[tests]"], capture_output=True, text=True, env=clean)
    assert install.returncode == 0, install.stderr[-3000:]
    run = subprocess.run([str(python), "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], cwd=project,
                         capture_output=True, text=True, env=clean)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    listed = subprocess.run([str(env_dir / "bin" / "returnhub"), "plugins"], capture_output=True, text=True,
                            env={**clean, "RETURNHUB_INSTANCE_PATH": str(tmp_path / "instance")})
    line = next((row for row in listed.stdout.splitlines() if row.startswith("example_market ")), "")
    assert "marketplace" in line and line.rstrip().endswith("loaded"), listed.stdout + listed.stderr
