"""Messages reach the case with the given business key, and no other."""

import pytest

from engine.definitions import DeployRequest
from engine.errors import NotCorrelatedError
from engine.service import Engine

from conftest import CASEWORKER, PROCESS_OWNER
from support import bpmn


@pytest.fixture
def waiting(engine: Engine) -> Engine:
    engine.deploy(
        DeployRequest([("m.bpmn", bpmn.message_process("m", "ny_oplysning"))], name="m"), actor=PROCESS_OWNER
    )
    return engine


def test_message_moves_the_right_case_and_no_other(waiting: Engine) -> None:
    first = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    second = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-2")
    [moved] = waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-2", variables={"note": "x"})
    assert moved.id == second.id
    assert waiting.get_case(second.id, actor=CASEWORKER).current_activities == ("after",)
    assert waiting.get_case(second.id, actor=CASEWORKER).variables == {"note": "x"}
    assert waiting.get_case(first.id, actor=CASEWORKER).current_activities == ("wait_msg",)


def test_unknown_business_key_is_refused(waiting: Engine) -> None:
    waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    with pytest.raises(NotCorrelatedError):
        waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-9")


def test_ambiguous_message_is_refused_unless_all(waiting: Engine) -> None:
    a = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    b = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    with pytest.raises(NotCorrelatedError):
        waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1")
    moved = waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1", all_matches=True)
    assert sorted(c.id for c in moved) == sorted([a.id, b.id])


def test_a_message_is_consumed_once(waiting: Engine) -> None:
    waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1")
    with pytest.raises(NotCorrelatedError):
        waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1")
