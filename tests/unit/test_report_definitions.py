"""Every figure of GET /reports/overview is defined in engine/reports.py's docstring (rule,
numerator, denominator): a figure, share or deadline rule added without its definition fails here."""

import dataclasses
import re

from engine import reports
from engine.contract import FLAGS
from engine.rules import RULES, Basis

DOC = reports.__doc__ or ""


def test_every_overview_figure_has_a_definition() -> None:
    headings = set(re.findall(r"^- \*\*([a-z ]+)\*\*", DOC, flags=re.MULTILINE))
    assert {f.name.replace("_", " ") for f in dataclasses.fields(reports.Overview)} <= headings


def test_every_share_and_late_investigation_figure_is_named_with_its_fraction() -> None:
    for flag in FLAGS:
        assert re.search(rf"`{flag.name}`: .+? / all ", DOC, flags=re.DOTALL), flag.name
    for field in dataclasses.fields(reports.LateInvestigations):
        assert f"`{field.name}` = " in DOC, field.name


def test_every_reported_rule_is_named_with_its_paragraph_or_as_policy() -> None:
    compliance = DOC.split("- **compliance**")[1].split("- **late investigations**")[0]
    flat = " ".join(compliance.split())
    for rule in RULES:
        if rule.deadline is not None:
            paragraph = rule.paragraph.split(" (")[0]
            assert f"{paragraph} ({rule.deadline}" in flat, rule.id
    policy = flat.split("municipal policy:")[1]
    assert "follow_up_default_interval" in policy
    assert all(r.basis is Basis.POLICY for r in RULES if r.id == "follow_up_default_interval")
