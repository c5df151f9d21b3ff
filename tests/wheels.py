"""Building wheels of the core and the plugins from a clean copy of their tracked files (no build/ left
behind in the checkout, and nothing untracked slips in), for the wheel tests."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DIRS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "setup.cfg").exists())
# project folder (relative to ROOT) -> its top-level import package
PROJECTS = {".": "hub", **{f"plugins/{p.name}": next(p.glob("returnhub_*/__init__.py")).parent.name
                           for p in PLUGIN_DIRS}}


def tracked(project: str) -> list[str]:
    """The files git tracks in a project folder, relative to it (the core leaves out plugins/ and tests/)."""
    out = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=ROOT / project, text=True,
                         capture_output=True, check=True).stdout
    files = [f for f in out.split("\0") if f]
    if project == ".":
        files = [f for f in files if f.split("/")[0] not in ("plugins", "tests", "benchmarks", "docs")]
    return files


def build_wheel(project: str, workdir: Path, out: Path) -> Path:
    """Copy ``project``'s tracked files to ``workdir`` and build its wheel into ``out``."""
    stage = workdir / (project.replace("/", "_").strip(".") or "core")
    for name in tracked(project):
        if (ROOT / project / name).is_file():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / project / name, stage / name)
    before = set(out.glob("*.whl")) if out.exists() else set()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(stage)], check=True, capture_output=True, text=True)
    (wheel,) = set(out.glob("*.whl")) - before
    return wheel
