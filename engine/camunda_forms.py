"""Camunda Forms (form-js JSON schemas, `.form` files): reading them and checking what is submitted.

A user task or start event names its form by `camunda:formRef` (the form's `id`, with
`camunda:formRefBinding` latest / deployment / version and `camunda:formRefVersion`) or by
`camunda:formKey="camunda-forms:deployment:<file>.form"`. The form is a deployed `.form` file.

Camunda's Tasklist validates in the browser only; Sagsflow also checks every submission on the
server against the schema, so an API client cannot skip it: required fields (the submitted value,
or the case's current one), the field's type (number, checkbox, checklist/taglist, select/radio
with fixed values, date/time), `min`/`max`, `minLength`/`maxLength`, `pattern` and the email
type. A field with a `conditional.hide` condition (FEEL, which Sagsflow does not evaluate) is
not required. Fields inside groups are checked too; a group's `path` nesting is not applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from engine.errors import VariableProblem

MAX_FORM_BYTES = 1_048_576
MAX_PATTERN_INPUT = 1_000
CAMUNDA_FORMS_PREFIX = "camunda-forms:"
BINDINGS = ("latest", "deployment", "version")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_INPUT = frozenset(
    {"text", "button", "spacer", "separator", "image", "html", "iframe", "table", "default"}
)
_OPTIONS = frozenset({"select", "radio"})
_LISTS = frozenset({"checklist", "taglist"})


class FormSchemaError(ValueError):
    """A `.form` file that is not a Camunda Form."""


@dataclass(frozen=True)
class FormReference:
    """What a task or start event says about its form."""

    key: str | None = None  # camunda:formKey as written (evaluated for a task)
    ref: str | None = None  # camunda:formRef: a form id
    binding: str = "latest"
    version: int | None = None

    def as_json(self) -> str | None:
        if self.ref is None:
            return None
        return json.dumps({"key": self.ref, "binding": self.binding, "version": self.version})

    @staticmethod
    def from_json(key: str | None, ref: str | None) -> FormReference:
        if not ref:
            return FormReference(key=key)
        data = json.loads(ref)
        return FormReference(key, data.get("key"), data.get("binding") or "latest", data.get("version"))

    @property
    def deployed_file(self) -> str | None:
        """The deployed file a `camunda-forms:deployment:…` (or `…:app:…`) form key names."""
        if not self.key or not self.key.startswith(CAMUNDA_FORMS_PREFIX):
            return None
        _, _, rest = self.key.partition(":")
        place, _, name = rest.partition(":")
        return name if place in ("deployment", "app") and name else None

    @property
    def is_camunda_form(self) -> bool:
        return self.ref is not None or self.deployed_file is not None


def reference_problems(ref: str | None, binding: str | None, version: str | None) -> list[str]:
    """What is wrong with a formRef's binding and version, before anything runs."""
    if ref is None:
        return []
    problems = []
    chosen = binding or "latest"
    if chosen not in BINDINGS:
        problems.append(f"formRefBinding '{chosen}' is not one of {', '.join(BINDINGS)}")
    if chosen == "version" and not (version or "").isdigit():
        problems.append("formRefBinding 'version' needs camunda:formRefVersion, a version number")
    return problems


def form_id(content: bytes, resource: str) -> str | None:
    """The `id` of a `.form` file (its key as a Camunda form definition). A form without one is
    deployed, as Camunda deploys it, but can only be named by its file (camunda-forms:deployment:…)."""
    schema = parse_schema(content, resource)
    identifier = schema.get("id")
    return identifier.strip() if isinstance(identifier, str) and identifier.strip() else None


def parse_schema(content: bytes, resource: str = "form") -> dict[str, Any]:
    if len(content) > MAX_FORM_BYTES:
        raise FormSchemaError(f"{resource}: larger than {MAX_FORM_BYTES} bytes")
    try:
        schema = json.loads(content)
    except (ValueError, UnicodeDecodeError) as err:
        raise FormSchemaError(f"{resource}: not JSON ({err})") from None
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        raise FormSchemaError(f"{resource}: a Camunda Form is a JSON object with 'components'")
    return schema


def fields(schema: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The input fields of a schema (inside groups too), in order."""
    for component in schema.get("components") or []:
        if not isinstance(component, dict):
            continue
        if isinstance(component.get("components"), list):
            yield from fields(component)
        elif component.get("key") and component.get("type") not in _NOT_INPUT:
            yield component


def validate(
    schema: Mapping[str, Any], submitted: Mapping[str, Any], current: Mapping[str, Any]
) -> list[VariableProblem]:
    """Every problem of a submission against the form: `submitted` are the variables sent,
    `current` the case's variables (a required field may keep its current value)."""
    problems: list[VariableProblem] = []
    for field in fields(schema):
        key = str(field["key"])
        value = submitted[key] if key in submitted else current.get(key)
        rules = field.get("validate") or {}
        if _empty(field, value):
            if rules.get("required") and not (field.get("conditional") or {}).get("hide"):
                label = field.get("label") or key
                problems.append(VariableProblem(key, f"'{label}' is required", f"„{label}“ skal udfyldes."))
            continue
        if key in submitted:
            problems += [VariableProblem(key, en, da) for en, da in _value_problems(field, value, rules)]
    return problems


def _empty(field: Mapping[str, Any], value: Any) -> bool:
    if field.get("type") == "checkbox":
        return value is not True
    return value is None or value in ("", [])


Problem = tuple[str, str]  # English, Danish


def _value_problems(field: Mapping[str, Any], value: Any, rules: Mapping[str, Any]) -> list[Problem]:
    kind = str(field.get("type"))
    if kind == "number":
        return _number(value, rules)
    if kind == "checkbox":
        return [] if isinstance(value, bool) else [("must be true or false", "Vælg ja eller nej.")]
    if kind in _LISTS:
        return _list(field, value)
    if kind in _OPTIONS:
        return _option(field, value)
    if kind == "datetime":
        return _datetime(field, value)
    return _text(value, rules)


def _number(value: Any, rules: Mapping[str, Any]) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [("must be a number", "Skal være et tal.")]
    problems = []
    if isinstance(rules.get("min"), int | float) and value < rules["min"]:
        problems.append((f"must be at least {rules['min']}", f"Skal være mindst {rules['min']}."))
    if isinstance(rules.get("max"), int | float) and value > rules["max"]:
        problems.append((f"must be at most {rules['max']}", f"Må højst være {rules['max']}."))
    return problems


def _static_values(field: Mapping[str, Any]) -> list[Any] | None:
    values = field.get("values")
    if not isinstance(values, list) or field.get("valuesKey") or field.get("valuesExpression"):
        return None  # options from a variable or an expression: not checked here
    return [v.get("value") for v in values if isinstance(v, dict)]


def _option(field: Mapping[str, Any], value: Any) -> list[Problem]:
    allowed = _static_values(field)
    if allowed is not None and value not in allowed:
        listed = ", ".join(map(str, allowed))
        return [(f"must be one of {listed}", f"Skal være en af: {listed}.")]
    return []


def _list(field: Mapping[str, Any], value: Any) -> list[Problem]:
    if not isinstance(value, list):
        return [("must be a list", "Vælg en eller flere.")]
    allowed = _static_values(field)
    if allowed is not None and field.get("type") == "checklist":
        wrong = ", ".join(str(v) for v in value if v not in allowed)
        if wrong:
            listed = ", ".join(map(str, allowed))
            return [(f"{wrong} is not one of {listed}", f"{wrong} er ikke en af: {listed}.")]
    return []


_DATETIME_PARSERS = {
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "datetime": datetime.fromisoformat,
}


_DANISH_KIND = {"date": "dato", "time": "tidspunkt", "datetime": "dato og tidspunkt"}


def _datetime(field: Mapping[str, Any], value: Any) -> list[Problem]:
    subtype = str(field.get("subtype") or "date")
    parser = _DATETIME_PARSERS.get(subtype, datetime.fromisoformat)
    wrong = [(f"must be a {subtype} (ISO 8601)", f"Skal være en {_DANISH_KIND.get(subtype, 'dato')}.")]
    if not isinstance(value, str):
        return wrong
    try:
        parser(value.replace("Z", "+00:00"))
    except ValueError:
        return wrong
    return []


def _text(value: Any, rules: Mapping[str, Any]) -> list[Problem]:
    if not isinstance(value, str):
        return [("must be text", "Skal være tekst.")]
    problems = []
    if isinstance(rules.get("minLength"), int) and len(value) < rules["minLength"]:
        count = rules["minLength"]
        problems.append((f"must be at least {count} characters", f"Skal være mindst {count} tegn."))
    if isinstance(rules.get("maxLength"), int) and len(value) > rules["maxLength"]:
        count = rules["maxLength"]
        problems.append((f"must be at most {count} characters", f"Må højst være {count} tegn."))
    pattern = rules.get("pattern")
    if isinstance(pattern, str) and pattern and not _matches(pattern, value):
        problems.append((f"must match {pattern}", "Har ikke den rigtige form."))
    if rules.get("validationType") == "email" and not _EMAIL.match(value):
        problems.append(("must be an e-mail address", "Skal være en e-mailadresse."))
    return problems


def _matches(pattern: str, value: str) -> bool:
    """As form-js does (`new RegExp(pattern).test(value)`): a search, not a full match. Long input
    is refused rather than searched, so a pathological pattern cannot stall the server."""
    if len(value) > MAX_PATTERN_INPUT:
        return False
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True  # a pattern Python cannot read is checked by the browser only
