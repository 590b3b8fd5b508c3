"""docs/domain.md is the domain reference the code cites ("docs/domain.md § Rules",
"docs/domain.md § Figures"): every section a source file cites is a heading there."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

DOMAIN = Path(settings.BASE_DIR) / "docs" / "domain.md"
SKIPPED = {".venv", "node_modules", "staticfiles", ".git"}


def headings(level: str = "##") -> list[str]:
    return re.findall(rf"^{level} (.+)$", DOMAIN.read_text(encoding="utf-8"), re.MULTILINE)


def citations() -> list[tuple[str, str]]:
    """(file:line, the text after each "§ ") on every line that cites the domain page."""
    found = []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if SKIPPED & set(path.relative_to(settings.BASE_DIR).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "docs/domain.md" in line or "docs/domain.md" in line:
                where = f"{path.relative_to(settings.BASE_DIR)}:{number}"
                found += [(where, rest) for rest in line.split("§ ")[1:]]
    return found


def test_the_domain_page_has_the_sections_of_the_reference():
    assert headings() == [
        "Who uses it",
        "Entities",
        "Figures",
        "Rules",
        "Accounts, input and faults",
        "The public team profile",
        "Demo data",
    ]


def test_every_cited_section_is_a_heading():
    cited = citations()
    assert len(cited) >= 20  # the docstrings and comments that cite it
    # A section (## Entities) or one of its parts (### Sign-ups).
    sections = headings("##") + headings("###")
    missing = [(where, rest) for where, rest in cited if not rest.startswith(tuple(sections))]
    assert not missing, missing
