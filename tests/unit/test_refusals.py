"""What a refused form says: the form field it concerns, in English for integrators and in Danish
with local dates for the caseworker (engine/forms.py, engine/deadlines.py via engine/inputs.py)."""

import pytest

from engine.deadlines import DEFAULT_SETTINGS
from engine.errors import InvalidVariablesError
from engine.inputs import prepare
from engine.model import FormFieldInfo


def refusal(
    variables: dict[str, object], current: dict[str, object], form: tuple[FormFieldInfo, ...] = ()
) -> list[tuple[str, str, str | None]]:
    with pytest.raises(InvalidVariablesError) as caught:
        prepare(variables, current=current, form=form, deadlines=DEFAULT_SETTINGS)
    return [(p.name, p.message, p.message_da) for p in caught.value.problems]


def test_a_next_follow_up_before_the_meeting_names_the_field_and_the_meeting_day() -> None:
    # The meeting at 00:30 on 19 November 2027 in Copenhagen is 23:30 UTC the day before.
    [(name, english, danish)] = refusal(
        {"follow_up_held_at": "2027-11-18T23:30:00+00:00", "next_follow_up_date": "2027-10-21"}, {}
    )
    assert name == "next_follow_up_date"
    assert "is not after the meeting" in english
    assert danish == "Næste opfølgning skal ligge efter mødet den 19.11.2027."


def test_a_first_follow_up_before_the_start_names_the_field_and_the_start_day() -> None:
    [(name, _, danish)] = refusal(
        {"intervention_started_at": "2027-03-02", "next_follow_up_date": "2027-03-01"}, {}
    )
    assert name == "next_follow_up_date"
    assert danish == "Første opfølgning må ikke ligge før indsatsens start den 02.03.2027."


def test_an_unreadable_date_names_its_field() -> None:
    [(name, english, danish)] = refusal({"follow_up_held_at": "soon"}, {})
    assert name == "follow_up_held_at" and "soon" in english
    assert danish == "Datoen kan ikke læses. Skriv den som en dato."


def test_a_date_beyond_the_calendar_names_its_field() -> None:
    [(name, _, danish)] = refusal({"decision_date": "9999-12-01"}, {})
    assert (name, danish) == ("decision_date", "Datoen ligger for langt ude i fremtiden.")


def test_form_problems_are_said_in_danish_beside_each_field() -> None:
    form = (
        FormFieldInfo("child_in_danger", "I fare?", "boolean", required=True),
        FormFieldInfo("visits", "Besøg", "long", constraints=(("min", "2.5"),)),
        FormFieldInfo("outcome", "Udfald", "enum", options=(("close", "Luk"), ("support", "Støtte"))),
        FormFieldInfo("note", "Notat", "string", constraints=(("maxlength", "3"),)),
    )
    found = refusal({"visits": 1, "outcome": "other", "note": "abcd", "extra": 1}, {}, form)
    assert {(name, danish) for name, _, danish in found} == {
        ("extra", "Er ikke et felt i opgavens formular."),
        ("child_in_danger", "Skal udfyldes."),
        ("visits", "Skal være mindst 2,5."),
        ("outcome", "Vælg en af: Luk, Støtte."),
        ("note", "Skriv højst 3 tegn."),
    }
