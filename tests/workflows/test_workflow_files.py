"""The diagrams in workflows/: they lint clean with bpmnlint's Camunda 7 rules and pass `sagsflow validate`,
and a broken copy is refused with the element id."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn"))
LINT = ROOT / "scripts" / "lint-bpmn"


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_every_workflow_passes_bpmnlint_with_camunda_7_rules() -> None:
    result = run(LINT, *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bpmnlint_rejects_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    text = (ROOT / "workflows" / "afslutning.bpmn").read_text()
    broken.write_text(text.replace('name="Afslut sagen (møde eller brev)"', ""))  # a task without a label
    result = run(LINT, broken)
    assert result.returncode != 0 and "closing" in result.stdout


def test_sagsflow_validate_accepts_the_workflows() -> None:
    files = [*WORKFLOWS, *sorted((ROOT / "workflows").glob("*.dmn"))]
    result = run(sys.executable, "-m", "api", "validate", *files)
    assert result.returncode == 0, result.stderr
    assert "ok: process 'boernesag'" in result.stdout
    assert "ok: decision 'follow_up_interval'" in result.stdout


@pytest.mark.parametrize(
    ("needle", "replacement", "element"),
    [
        (
            '${screening_outcome == "close"}',
            '${screening_outcome === "close"}',
            "flow_screening_route_to_to_closing",
        ),
        (">${investigation_due}</bpmn:timeDate>", ">P1.5M</bpmn:timeDate>", "investigation_breach"),
        (
            'camunda:dueDate="${investigation_due}"',
            'camunda:dueDate="${investigation_due(}"',
            "investigation",
        ),
        ('targetRef="first_talks"', 'targetRef="screening"', "first_talks"),
    ],
)
def test_sagsflow_validate_rejects_a_broken_copy_naming_the_element(
    tmp_path: Path, needle: str, replacement: str, element: str
) -> None:
    for source in (ROOT / "workflows").glob("*.*"):
        if source.is_file():  # not .camunda/, the Modeler's element templates
            shutil.copy(source, tmp_path / source.name)
    main = tmp_path / "boernesag.bpmn"
    assert needle in main.read_text()
    main.write_text(main.read_text().replace(needle, replacement, 1))
    result = run(sys.executable, "-m", "api", "validate", *sorted(tmp_path.glob("*.*")))
    assert result.returncode == 1
    assert f"element '{element}'" in result.stderr


def test_simulate_prints_the_timeline_of_the_example_scenario() -> None:
    scenario = ROOT / "workflows" / "scenarios" / "bfu_overskredet.yaml"
    result = run(sys.executable, "-m", "api", "simulate", scenario)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any("DEADLINE_REMINDER: investigation" in line for line in lines)
    assert any("DEADLINE_BREACHED: investigation" in line for line in lines)
    assert lines[-1].endswith("status completed, phase afslutning, open []")


def test_simulate_reports_a_failed_check(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text("report: {reporter_type: private}\nsteps:\n  - expect_open: [decision]\n")
    result = run(sys.executable, "-m", "api", "simulate", scenario)
    assert result.returncode == 1
    assert "CHECK 1 FAILED" in result.stdout


def test_simulate_explains_a_step_that_cannot_run(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text("steps:\n  - complete: decision\n    with: {}\n")
    result = run(sys.executable, "-m", "api", "simulate", scenario)
    assert result.returncode == 1
    assert "'decision' is not open" in result.stderr


def test_simulate_a_s46_placement_during_a_running_investigation() -> None:
    scenario = ROOT / "workflows" / "scenarios" / "anbringelse_under_bfu.yaml"
    result = run(sys.executable, "-m", "api", "simulate", scenario)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "decision refused:" in out and "plan_before_s47:" in out  # § 47 while the BFU runs
    assert "completed decision" in out  # § 46 while the BFU runs
    # When the investigation ends (15 April) the first follow-up falls on that day (§ 95).
    assert "task open: follow_up, due by the end of 2026-04-15" in out
    assert "FAILED" not in out


def test_simulate_a_s47_decision_refused_without_a_finished_investigation_and_plan() -> None:
    scenario = ROOT / "workflows" / "scenarios" / "anbringelse_uden_samtykke.yaml"
    result = run(sys.executable, "-m", "api", "simulate", scenario)
    assert result.returncode == 0, result.stdout + result.stderr
    refusals = [
        line.strip().split(":")[0] for line in result.stdout.splitlines() if line.startswith(" " * 18)
    ]
    assert refusals.count("bfu_before_placement") == 1 and refusals.count("plan_before_s47") == 2
    assert "FAILED" not in result.stdout


def test_every_guard_and_deadline_rule_of_the_diagrams_is_in_the_rule_registry() -> None:
    """engine/rules.py marks each rule law or policy; the diagrams may not enforce an unlisted one."""
    import re  # noqa: PLC0415

    from engine.rules import DEADLINE_RULE_NAMES, ELEMENTS, GUARD_NAMES, markdown_table  # noqa: PLC0415

    texts = [p.read_text() for p in (ROOT / "workflows").glob("*.bpmn")]
    guards = {g for t in texts for g in re.findall(r'name="guard:([a-z0-9_]+)"', t)}
    deadlines = {d for t in texts for d in re.findall(r'name="deadline" value="([a-z0-9_]+)"', t)}
    ids = {i for t in texts for i in re.findall(r'<bpmn:[A-Za-z]+ id="([a-z0-9_]+)"', t)}
    ids |= set(
        re.findall(
            r'<decision id="([a-z0-9_]+)"', (ROOT / "workflows" / "opfoelgningsinterval.dmn").read_text()
        )
    )
    assert guards == GUARD_NAMES
    assert deadlines == DEADLINE_RULE_NAMES
    assert ids >= ELEMENTS, sorted(ELEMENTS - ids)
    # The process owners' guide lists every rule with its paragraph and basis, as engine/rules.py:
    # python -c "from engine.rules import markdown_table; print(markdown_table())"
    assert markdown_table() in (ROOT / "workflows" / "README.md").read_text()
