"""DMN in memory: parsing a DMN file (as a deploy and a first use do) and evaluating a decision
(as a business rule task and `POST /decision-definition/…/evaluate` do), with Sagsflow's own FEEL.

Tables: the shipped follow-up interval table (FIRST, 4 rules), Camunda's invoice DRD (a COLLECT
table requiring a second decision), and a generated UNIQUE table of 100 rules with two inputs
whose last rule matches (every rule is tested).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from engine.bpmn.dmn.evaluate import evaluate
from engine.bpmn.dmn.model import DecisionModel
from engine.bpmn.dmn.parse import read_decisions
from engine.bpmn.xml import parse_xml

ROOT = Path(__file__).resolve().parents[1]
INTERVAL = ROOT / "workflows" / "opfoelgningsinterval.dmn"
INVOICE = ROOT / "tests" / "thirdparty" / "camunda-invoice" / "invoiceBusinessDecisions.dmn"


def hundred_rules() -> bytes:
    rules = "".join(
        f'<rule id="r{i}"><inputEntry id="r{i}a"><text>"group-{i}"</text></inputEntry>'
        f'<inputEntry id="r{i}b"><text>[{i}..{i + 1}[</text></inputEntry>'
        f'<outputEntry id="r{i}o"><text>{i}</text></outputEntry></rule>'
        for i in range(100)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="bench" name="Bench" namespace="bench">
  <decision id="hundred" name="Hundred">
    <decisionTable id="table">
      <input id="a"><inputExpression id="ae" typeRef="string"><text>group</text></inputExpression></input>
      <input id="b"><inputExpression id="be" typeRef="double"><text>amount</text></inputExpression></input>
      <output id="o" name="score" typeRef="integer" />
      {rules}
    </decisionTable>
  </decision>
</definitions>""".encode()


CASES: dict[str, tuple[Callable[[], bytes], str, dict[str, Any]]] = {
    "follow-up interval (FIRST, 4 rules)": (
        INTERVAL.read_bytes,
        "follow_up_interval",
        {"concern_level": "low", "measure_type": "support_s32"},
    ),
    "invoice DRD (COLLECT + required decision)": (
        INVOICE.read_bytes,
        "invoice-assign-approver",
        {"amount": 600.0, "invoiceCategory": "Misc"},
    ),
    "UNIQUE, 100 rules x 2 inputs, last matches": (
        hundred_rules,
        "hundred",
        {"group": "group-99", "amount": 99.5},
    ),
}


def _model(content: bytes) -> DecisionModel:
    model, problems = read_decisions(parse_xml(content, "bench.dmn").getroot(), "bench.dmn")
    if problems:
        raise RuntimeError(problems)
    return model


def _timed(action: Callable[[], Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def measure(n: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per parse and per evaluation, `n` samples each, for every table."""
    results = {}
    for name, (content, decision, variables) in CASES.items():
        data = content()
        model = _model(data)
        evaluate(model, decision, variables)  # warm-up
        results[name] = {
            "parse": _timed(partial(_model, data), max(n // 10, 5)),
            "evaluate": _timed(partial(evaluate, model, decision, variables), n),
        }
    return results
