"""docs/findings.md documents every finding code, with its severity, once."""

from __future__ import annotations

import re

from helpers import REPO
from specls.findings import Code


def test_every_code_has_a_section_in_docs_findings() -> None:
    text = (REPO / "docs" / "findings.md").read_text(encoding="utf-8")
    documented = re.findall(r"^### (SPEC\d{3}) .+ \((?:error|warning|info)\)$", text, re.M)
    assert sorted(documented) == sorted(c.value for c in Code)
