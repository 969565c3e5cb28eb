"""Docs and tests refer only to what is in the repository: no files beside it, no paths of one machine."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
#: The notes folder beside the checkout (parent folder, then `shared`), and absolute paths of a machine: /work/...,
#: /root/..., /home/<user>/...
OUTSIDE = re.compile(r"\.\.[/]shared\b|(?<![\w.])/(?:work|root|home/\w+)/")
CHECKED = sorted(
    [*REPO.glob("*.md"), *(REPO / "docs").glob("*.md"), *(REPO / "tests").glob("*.py"), *(REPO / "examples").glob("*.py")]
)


@pytest.mark.parametrize("path", [path for path in CHECKED if path != Path(__file__)], ids=lambda path: path.name)
def test_refers_only_to_the_repository(path):
    found = [f"{number}: {line.strip()}" for number, line in enumerate(path.read_text().splitlines(), 1) if OUTSIDE.search(line)]
    assert not found, "\n".join(found)
