"""Camunda typed variables in both directions, as the three clients send and read them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from api.camunda.variables import format_date, from_camunda, parse_date, to_camunda
from engine.errors import InvalidVariablesError

JS_COMPLETE = {
    "screeningResult": {"type": "string", "value": "afdækning", "valueInfo": {}},
    "riskScore": {"type": "integer", "value": 3, "valueInfo": {}},
    "bigNumber": {"type": "long", "value": 4000000000, "valueInfo": {}},
    "ratio": {"type": "double", "value": 0.75, "valueInfo": {}},
    "decidedAt": {"type": "date", "value": "2024-03-01T10:00:00.000+0000", "valueInfo": {}},
    "details": {"type": "json", "value": '{"reason":"x","list":[1,2]}', "valueInfo": {}},
    "cleared": {"type": "null", "value": None, "valueInfo": {}},
}


def test_lowercase_types_from_the_js_client() -> None:
    assert from_camunda(JS_COMPLETE) == {
        "screeningResult": "afdækning",
        "riskScore": 3,
        "bigNumber": 4000000000,
        "ratio": 0.75,
        "decidedAt": "2024-03-01T10:00:00+00:00",
        "details": {"reason": "x", "list": [1, 2]},
        "cleared": None,
    }


def test_untyped_values_from_the_python_client_are_inferred() -> None:
    values = {
        "a": {"value": "x"},
        "b": {"value": 3},
        "c": {"value": False},
        "d": {"value": {"typed": True}},
        "e": {"value": None},
    }
    assert from_camunda(values) == {"a": "x", "b": 3, "c": False, "d": {"typed": True}, "e": None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T09:30:00.000+0100", datetime(2024, 3, 1, 8, 30, tzinfo=UTC)),
        ("2024-03-01T09:30:00.000+01:00", datetime(2024, 3, 1, 8, 30, tzinfo=UTC)),
        ("2024-03-01T09:30:00.000Z", datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
        ("2024-03-01T10:00:00.000", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),  # naive: Copenhagen time
        ("2024-07-01T10:00:00", datetime(2024, 7, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_dates_in_every_format_the_clients_send(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


def test_null_value_info_transient_and_null_maps() -> None:
    assert from_camunda(None) == {}
    assert from_camunda({"x": {"value": 1, "type": "Integer", "valueInfo": None}}) == {"x": 1}
    assert from_camunda({"x": {"value": 1, "type": "Integer", "valueInfo": {"transient": True}}}) == {}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"value": "x", "type": "Xml"}, "Unsupported value type 'Xml'"),
        ({"value": "x", "type": "Bogus"}, "Unsupported value type 'Bogus'"),
        ({"value": "abc", "type": "Integer"}, "Cannot convert value 'abc' of type 'Integer'"),
        ({"value": 2**31, "type": "Integer"}, "of type 'Integer'"),
        ({"value": 1.5, "type": "Long"}, "of type 'Long'"),
        ({"value": "yes", "type": "Boolean"}, "of type 'Boolean'"),
        ({"value": "01/03/2024", "type": "Date"}, "of type 'Date'"),
        ({"value": "{not json", "type": "Json"}, "of type 'Json'"),
        ("bare", "must be an object"),
        ({"value": "not base64!", "type": "File", "valueInfo": {"filename": "a.txt"}}, "must be base64"),
        ({"value": "aGVq", "type": "File", "valueInfo": {}}, "needs valueInfo.filename"),
    ],
)
def test_bad_types_and_values_are_refused(entry: object, message: str) -> None:
    with pytest.raises(InvalidVariablesError, match=message):
        from_camunda({"x": entry})


def test_output_is_capitalised_with_json_as_a_string_and_instants_as_dates() -> None:
    out = to_camunda(
        {
            "s": "tekst",
            "i": 7,
            "l": 2**40,
            "d": 0.5,
            "b": True,
            "n": None,
            "j": {"a": [1]},
            "t": "2024-03-01T08:30:00+00:00",
        }
    )
    assert {k: v["type"] for k, v in out.items()} == {
        "s": "String",
        "i": "Integer",
        "l": "Long",
        "d": "Double",
        "b": "Boolean",
        "n": "Null",
        "j": "Json",
        "t": "Date",
    }
    assert json.loads(out["j"]["value"]) == {"a": [1]}
    assert out["t"]["value"] == "2024-03-01T08:30:00.000+0000"
    assert all(set(v) == {"type", "value", "valueInfo"} for v in out.values())
    assert format_date(datetime(2024, 3, 1, 8, 30, 0, 123456, tzinfo=UTC)) == "2024-03-01T08:30:00.123+0000"


def test_a_file_as_the_js_client_sends_it_is_kept_and_shown_as_camunda_shows_it() -> None:
    """The JS client's `File` (type 'file', valueInfo mimetype) and Camunda's own spelling (mimeType)."""
    sent = {
        "value": "aGVqIHZlcmRlbg==",
        "type": "file",
        "valueInfo": {"filename": "invoice.txt", "mimetype": "text/plain"},
    }
    kept = from_camunda({"invoice": sent})
    assert kept["invoice"]["sagsflow_file"]["data"] == "aGVqIHZlcmRlbg=="
    shown = to_camunda(kept)["invoice"]
    assert shown == {
        "type": "File",
        "value": None,
        "valueInfo": {"filename": "invoice.txt", "mimeType": "text/plain"},
    }
    camunda = {
        "value": "",
        "type": "File",
        "valueInfo": {"filename": "empty.bin", "mimeType": "a/b", "encoding": "UTF-8"},
    }
    assert to_camunda(from_camunda({"f": camunda}))["f"]["valueInfo"]["encoding"] == "UTF-8"
