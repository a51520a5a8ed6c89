"""Hardened XML parsing for uploaded BPMN and DMN.

No DTDs, no entities, no network, no XInclude; any DOCTYPE is refused (Camunda Modeler never
writes one). Size, depth and element count are bounded so an upload cannot exhaust memory.
SpiffWorkflow only ever sees the element tree produced here, never raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.errors import DefinitionProblem, InvalidDefinitionError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = frozenset(
    {
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20211108/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    }
)


@dataclass(frozen=True)
class XmlLimits:
    max_bytes: int = 2_000_000
    max_depth: int = 64
    max_elements: int = 50_000


DEFAULT_XML_LIMITS = XmlLimits()


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(content: bytes, resource: str, limits: XmlLimits = DEFAULT_XML_LIMITS) -> etree._ElementTree:
    """Parse `content` safely or raise `InvalidDefinitionError` naming the resource."""
    if len(content) > limits.max_bytes:
        raise _refuse(resource, f"file is {len(content)} bytes; the limit is {limits.max_bytes}")
    if b"<!DOCTYPE" in content[:4096].upper() or b"<!ENTITY" in content.upper():
        raise _refuse(resource, "DOCTYPE and ENTITY declarations are not allowed")
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) else None
        raise _refuse(resource, f"not well-formed XML: {err.msg}", line) from None
    if tree.docinfo.doctype:
        raise _refuse(resource, "DOCTYPE declarations are not allowed")
    _check_shape(tree.getroot(), resource, limits)
    return tree


def kind_of(tree: etree._ElementTree) -> str:
    """'bpmn' or 'dmn' by the root element's namespace; anything else is refused by the caller."""
    root = tree.getroot()
    namespace = etree.QName(root).namespace
    if namespace == BPMN_NS and etree.QName(root).localname == "definitions":
        return "bpmn"
    if namespace in DMN_NAMESPACES and etree.QName(root).localname == "definitions":
        return "dmn"
    return "unknown"


def owner_id(element: etree._Element) -> str | None:
    """The id of the element, else of its nearest ancestor that has one (where a problem is filed)."""
    node: etree._Element | None = element
    while node is not None:
        identifier = node.get("id")
        if identifier:
            return str(identifier)
        node = node.getparent()
    return None


def _check_shape(root: etree._Element, resource: str, limits: XmlLimits) -> None:
    count = depth = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        count += 1
        depth += 1
        if count > limits.max_elements:
            raise _refuse(resource, f"more than {limits.max_elements} elements")
        if depth > limits.max_depth:
            raise _refuse(resource, f"nested deeper than {limits.max_depth} levels")


def _refuse(resource: str, message: str, line: int | None = None) -> InvalidDefinitionError:
    return InvalidDefinitionError([DefinitionProblem(message, resource=resource, line=line)])
