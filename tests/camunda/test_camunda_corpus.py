"""The real-world Camunda 7 corpus (tests/camunda/corpus, sources in its README) run against a live,
secured Sagsflow: deployed as Camunda Modeler 5 deploys, started as it starts, worked by the
client examples' own workers (real JS and Python clients), until each instance ends.

Every scenario must end as `scenarios.json` says: "completed", or refused at deploy naming the
elements listed (all reasons in one answer). Scenarios marked `pending` wait for another
engineer's work and must not complete yet (so the mark is removed when they do). Of the
processes that need neither Java classes nor Groovy/JavaScript (category "unchanged"), the
share that runs to the end must reach the ratchet `baseline` (the goal is `goal`, 90 %).
The table of every outcome and reason is written to test-artifacts/camunda-corpus-<db>.md.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from typing import Any

import pytest

from support.camunda import CamundaServer
from support.corpus import CORPUS, Outcome, Runner, load_scenarios, table
from support.live import ROOT

pytestmark = pytest.mark.timeout(900)
ARTIFACTS = ROOT / "test-artifacts"


def test_every_corpus_file_is_unchanged_from_its_named_source() -> None:
    """Each vendored file matches the hash recorded with its repository, commit and path, and the
    README names it; every scenario uses only such files."""
    files = json.loads((CORPUS / "manifest.json").read_text())["files"]
    readme = (CORPUS / "README.md").read_text()
    changed = [
        f["file"]
        for f in files
        if hashlib.sha256((CORPUS / f["file"]).read_bytes()).hexdigest() != f["sha256"]
    ]
    unnamed = [f["file"] for f in files if f"`{f['file']}`" not in readme or f["licence"] != "Apache-2.0"]
    assert (changed, unnamed) == ([], [])
    known = {f["file"] for f in files}
    used = {name for s in load_scenarios()["scenarios"] for name in s["files"]}
    used |= {
        w.get("js") or w.get("python") for s in load_scenarios()["scenarios"] for w in s.get("workers", [])
    }
    assert used - known - {None} == set()


def _unmet(scenario: dict[str, Any], outcome: Outcome) -> str | None:
    """Why `outcome` is not what the scenario expects (None: it is)."""
    expected = scenario.get("expect", {})
    if "refused" in expected:
        if outcome.kind != "refused":
            return f"expected a refusal at deploy, got {outcome.kind}: {outcome.reasons}"
        named = " ".join(outcome.reasons)
        missing = [element for element in expected["refused"] if f": {element}: " not in named]
        return f"the refusal does not name {missing}: {outcome.reasons}" if missing else None
    return None if outcome.kind == "completed" else f"{outcome.kind}: {outcome.reasons}"


def _mismatch(scenario: dict[str, Any], outcome: Outcome) -> str | None:
    unmet = _unmet(scenario, outcome)
    if scenario.get("pending"):
        return f"now as expected: drop its 'pending' mark ({scenario['pending']})" if unmet is None else None
    return unmet


def test_the_corpus_runs_as_camunda_runs_it(camunda: CamundaServer, request: pytest.FixtureRequest) -> None:
    if shutil.which("node") is None:
        pytest.fail("node is required: run scripts/setup-node")
    document = load_scenarios()
    database = request.node.callspec.params["camunda"]
    scenarios = [s for s in document["scenarios"] if database == "sqlite" or s.get("postgres")]
    runner = Runner(camunda)
    outcomes = [runner.run(s) for s in scenarios]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"camunda-corpus-{database}.md").write_text(table(outcomes, scenarios))
    by_id = {s["id"]: s for s in scenarios}
    wrong = {o.scenario: m for o in outcomes if (m := _mismatch(by_id[o.scenario], o))}
    assert wrong == {}
    unchanged = [o for o in outcomes if by_id[o.scenario]["category"] == "unchanged"]
    share = sum(o.kind == "completed" for o in unchanged) / len(unchanged)
    if database == "sqlite":
        assert len(unchanged) >= 30
        assert share >= document["baseline"], f"{share:.1%} of the unchanged corpus ran to the end"
