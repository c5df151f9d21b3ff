"""Every file the core and each plugin need is in its wheel (editable installs hide a missing one)."""
from __future__ import annotations

import zipfile

import pytest
from wheels import PROJECTS, ROOT, build_wheel, tracked


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_wheel_ships_every_package_file(project, tmp_path):
    pytest.importorskip("wheel", reason="pip install -e '.[testing]' (builds wheels without network)")
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    wheel = build_wheel(project, tmp_path / "src", tmp_path / "dist")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    package = PROJECTS[project]
    expected = {f for f in tracked(project) if f.startswith(f"{package}/") and "/tests/" not in f"/{f}"}
    assert f"{package}/__init__.py" in expected
    missing = sorted(expected - shipped)
    assert not missing, f"{project}: the wheel lacks {missing}"
