"""The support registry has a verdict for every part a BPMN or DMN file can hold.

The vocabularies come from the schemas SpiffWorkflow ships (BPMN 2.0, DMN 1.1-1.3) and from
Camunda's own extension vocabulary (tests/thirdparty/camunda-bpmn-moddle/camunda.json), so a new
Camunda attribute or BPMN element can only be added with a verdict.
"""

import json
from pathlib import Path

import pytest
import SpiffWorkflow
from lxml import etree

from engine.bpmn import support

XS = "{http://www.w3.org/2001/XMLSchema}"
SPIFF = Path(SpiffWorkflow.__file__).parent
MODDLE = Path(__file__).resolve().parent.parent / "thirdparty" / "camunda-bpmn-moddle" / "camunda.json"


def schema_vocabulary(path: Path) -> tuple[set[str], set[str]]:
    """(element names, attribute names) a document may use; elements of abstract types cannot occur."""
    root = etree.parse(str(path)).getroot()
    abstract = {t.get("name") for t in root.iter(f"{XS}complexType") if t.get("abstract") == "true"}
    elements = {
        e.get("name")
        for e in root.iter(f"{XS}element")
        if e.get("name")
        and e.get("abstract") != "true"
        and (e.get("type") or "").split(":")[-1] not in abstract
    }
    attributes = {a.get("name") for a in root.iter(f"{XS}attribute") if a.get("name")}
    return elements, attributes


def attribute_names(table: dict[str, support.Support]) -> set[str]:
    return {key.split("@", 1)[1] for key in table}


def test_every_bpmn_element_and_attribute_has_a_verdict() -> None:
    schema = SPIFF / "bpmn" / "parser" / "schema"
    elements, attributes = schema_vocabulary(schema / "Semantic.xsd")
    root_elements, root_attributes = schema_vocabulary(schema / "BPMN20.xsd")
    assert elements | root_elements <= set(support.BPMN_ELEMENTS)
    assert attributes | root_attributes <= attribute_names(support.BPMN_ATTRIBUTES)


@pytest.mark.parametrize("schema", ["DMN.xsd", "DMN12.xsd", "DMN13.xsd"])
def test_every_dmn_element_and_attribute_has_a_verdict(schema: str) -> None:
    elements, attributes = schema_vocabulary(SPIFF / "dmn" / "parser" / "schema" / schema)
    assert elements <= set(support.DMN_ELEMENTS)
    assert attributes <= attribute_names(support.DMN_ATTRIBUTES)


def camunda_vocabulary() -> tuple[set[str], dict[str, set[str]]]:
    """(attributes Camunda adds to BPMN elements, {extension element: its attributes})."""
    types = json.loads(MODDLE.read_text())["types"]
    added: set[str] = set()
    elements: dict[str, set[str]] = {}
    by_name = {t["name"]: t for t in types}
    bases = {s for t in types for s in t.get("superClass", [])}
    for kind in types:
        if kind["name"] in bases:
            continue  # an abstract base (InOutBinding of camunda:in and camunda:out)
        own = {p["name"].split(":")[-1] for p in kind.get("properties", []) if p.get("isAttr")}
        if kind.get("extends"):
            added |= own
            continue
        if "Element" not in kind.get("superClass", []) and not _is_element(kind, by_name):
            continue
        name = kind["name"][0].lower() + kind["name"][1:]
        inherited = {
            p["name"]
            for s in kind.get("superClass", [])
            for p in by_name.get(s, {}).get("properties", [])
            if p.get("isAttr")
        }
        elements[name] = own | inherited
        for child in kind.get("properties", []):
            if not child.get("isAttr") and not child.get("isBody") and child.get("type") == "String":
                elements.setdefault(child["name"], set())
    return added, elements


def _is_element(kind: dict, by_name: dict) -> bool:
    return any(
        s in by_name
        and ("Element" in by_name[s].get("superClass", []) or s.startswith("InputOutputParameter"))
        for s in kind.get("superClass", [])
    )


def test_every_camunda_attribute_and_extension_element_has_a_verdict() -> None:
    added, elements = camunda_vocabulary()
    assert added <= attribute_names(support.CAMUNDA_ATTRIBUTES)
    missing = {name for name in elements if name not in support.CAMUNDA_ELEMENTS}
    assert not missing
    for name, attributes in elements.items():
        assert (
            attributes <= set(support.CAMUNDA_ELEMENTS[name].attributes)
            or support.CAMUNDA_ELEMENTS[name].support.refused
        ), name


def test_verdicts_are_explained() -> None:
    tables = [
        support.BPMN_ELEMENTS,
        support.BPMN_ATTRIBUTES,
        support.CAMUNDA_ATTRIBUTES,
        support.DMN_ELEMENTS,
        support.SHAPES,
    ]
    for table in tables:
        for key, entry in table.items():
            assert entry.note or entry.verdict is support.Verdict.RUNS, key
