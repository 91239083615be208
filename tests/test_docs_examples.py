"""The Python examples in the docs run (issue 11): every ```python block of README.md and
docs/*.md is executed, the blocks of one page in order in one namespace, in a scratch
folder holding the examples and a hairs table. A block that is not meant to run is
written as a plain ``` block."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
SLOW_PAGES = {"trials.md"}  # runs a 200-person trial


def blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


PAGES_WITH_CODE = [page for page in PAGES if blocks(page)]


def test_the_docs_have_python_examples():
    assert len(PAGES_WITH_CODE) >= 4


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=[pytest.mark.slow] if page.name in SLOW_PAGES else [])
        for page in PAGES_WITH_CODE
    ],
    ids=lambda page: page.name,
)
def test_python_examples_run(page, tmp_path):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    done = subprocess.run(
        [sys.executable, "-m", "follicle.cli", "render", "scene.png", "--truth", "hairs.csv"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    script = "\n\n".join(blocks(page))
    (tmp_path / "example.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{page.name}:\n{done.stderr[-3000:]}"
