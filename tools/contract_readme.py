"""Write the diagram contract (engine/contract.py) into workflows/README.md.

The section between the markers below is generated; tests/workflows/test_contract_readme.py fails
when it differs from the code. Run after changing engine/contract.py:

    .venv/bin/python -m tools.contract_readme
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine import contract

README = Path(__file__).resolve().parent.parent / "workflows" / "README.md"
BEGIN = "<!-- contract:begin (generated from engine/contract.py by tools/contract_readme.py) -->"
END = "<!-- contract:end -->"


def _rows() -> list[tuple[str, str, str]]:
    rows = [
        (
            "—",
            f"start variable `{name}` of `boernesag` (set by POST /cases)",
            str(contract.CASE_START),
        )
        for name in contract.START_VARIABLES
    ]
    rows += [
        (
            f"`{f.item}`",
            f"user task `{f.element_id}` has the form field `{f.variable}`",
            str(f.consumer),
        )
        for f in contract.FIELDS
    ]
    rows += [
        (f"`{g.item}`", f"a user task carries `guard:{g.name}`", str(g.consumer)) for g in contract.GUARDS
    ]
    rows += [
        (
            f"`{d.item}`",
            f"a boundary timer has `purpose`=`breach` and `deadline`=`{d.rule}`",
            str(d.consumer),
        )
        for d in contract.DEADLINES
    ]
    rows += [
        (
            f"`{m.item}`",
            f"an event catches the message `{m.name}` (payload: {', '.join(f'`{v}`' for v in m.payload)})",
            str(m.consumer),
        )
        for m in contract.MESSAGES
    ]
    rows += [
        (f"`{s.item}`", f"an event throws and an event catches the signal `{s.name}`", str(s.consumer))
        for s in contract.SIGNALS
    ]
    return rows


def section() -> str:
    """The generated part of workflows/README.md."""
    groups = ", ".join(f"`{g}`" for g in contract.DEFAULT_GROUPS)
    lines = [
        BEGIN,
        "",
        "| item | the case processes must keep | needed by |",
        "|---|---|---|",
        *[f"| {item} | {what} | {who} |" for item, what, who in _rows()],
        "",
        f"Every deployment touching the case processes is also checked for: `group:<name>` — candidate groups "
        f"are one of the configured groups ({groups}; `SAGSFLOW_CANDIDATE_GROUPS`); `variable:<name>` — "
        "every expression (conditions, timers, due dates, form defaults, guards, DMN inputs, scripts) reads "
        "only variables that a form field, a start variable, a computed deadline, a DMN output, a script, "
        "an error variable or a declared message payload sets. In every deployed process: "
        f"`timer:<element>` — a timer with `{contract.PURPOSE}` has `{contract.PURPOSE}` = "
        f"`{contract.BREACH}` or `{contract.REMINDER}`, a breach timer has `{contract.DEADLINE}`, a timer "
        f"that reads a computed deadline or throws `{contract.DEADLINE_BREACHED}` has `{contract.PURPOSE}`; "
        "`guard:<name>` — `guard:<name>:message` and `guard:<name>:field` belong to a `guard:<name>`.",
        "",
        END,
    ]
    return "\n".join(lines)


def rewritten(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + section() + text[end:]


def main() -> int:
    text = README.read_text()
    README.write_text(rewritten(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
