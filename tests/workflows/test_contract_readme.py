"""workflows/README.md says what engine/contract.py declares: its contract table is generated from
the code, and the shipped diagrams keep every item of it."""

from tools.contract_readme import README, rewritten


def test_the_readme_contract_table_is_the_one_the_code_declares() -> None:
    text = README.read_text()
    assert rewritten(text) == text, "run: .venv/bin/python -m tools.contract_readme"
