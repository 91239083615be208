"""Every rule of care-protocols.md is in the catalogue, cited in code and documented."""

from __future__ import annotations

import re
from pathlib import Path

from follicle.care.rules.catalogue import RULE_IDS, RULES, rules_markdown

ROOT = Path(__file__).resolve().parents[2]
CARE = ROOT / "src" / "follicle" / "care"

#: The ids numbered in shared/reference/care-protocols.md.
PROTOCOL_IDS = (
    *(f"MN-{n}" for n in range(1, 16)),
    *(f"RX-{n}" for n in range(1, 7)),
    *(f"TL-{n}" for n in range(1, 5)),
    *(f"RF-{n}" for n in range(1, 4)),
)


#: Rules follicle adds (not in care-protocols.md), each marked and sourced in docs/rules.md.
ADDITION_IDS = ("MN-16", "RX-7", "RX-8", "RX-9")


def test_catalogue_has_exactly_the_protocol_rules_and_the_marked_additions():
    assert sorted(RULE_IDS) == sorted(PROTOCOL_IDS + ADDITION_IDS)
    assert all(rule.applied_in for rule in RULES)
    additions = [rule for rule in RULES if rule.addition]
    assert [rule.id for rule in additions] == list(ADDITION_IDS)
    for rule in additions:
        assert rule.source.startswith("addition: ") and len(rule.source) > 40
        assert f"| {rule.id} (addition) |" in rules_markdown()


def test_every_rule_is_cited_where_it_is_applied():
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for path in CARE.rglob("*.py")
        if path.name != "catalogue.py"
    )
    cited = set(re.findall(r"[A-Z]{2}-\d+", code))
    missing = [rule_id for rule_id in PROTOCOL_IDS + ADDITION_IDS if rule_id not in cited]
    assert missing == []


def test_every_rule_is_exercised_by_a_test():
    tests = "\n".join(
        path.read_text(encoding="utf-8")
        for path in Path(__file__).parent.glob("test_care_*.py")
        if path.name != Path(__file__).name
    )
    exercised = set(re.findall(r"[A-Z]{2}-\d+", tests))
    ids = PROTOCOL_IDS + ADDITION_IDS
    assert [rule_id for rule_id in ids if rule_id not in exercised] == []


def test_docs_table_is_generated_from_the_catalogue():
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert rules_markdown() in docs


def test_a_bar_in_a_rule_cannot_break_the_table(monkeypatch):
    """A ``|`` in any cell would start a new column of the docs table: it becomes ``/``."""
    from follicle.care.rules import catalogue

    rule = catalogue.Rule(
        "XX-1", "dose a|b", "plan", "src | page", ("plan check",), limits="x|y", addition=True
    )
    monkeypatch.setattr(catalogue, "RULES", (rule,))
    row = catalogue.rules_markdown().splitlines()[2]
    assert row == "| XX-1 (addition) | dose a/b | plan | src / page | plan check | x/y |"
