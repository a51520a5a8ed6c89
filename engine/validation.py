"""Checking a deployment before anything is stored: compiled (engine/bpmn/parser.py, with the
support registry), every call activity's target found, and the diagram contract kept
(engine/bpmn/contract_checks.py). `sagsflow validate` runs exactly these checks offline, with a
folder standing for what the server has deployed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.contract_checks import check_contract
from engine.bpmn.parser import Bundle, CompiledDecision, CompiledProcess, Resource, compile_resources
from engine.bpmn.world import Diagram, Fetch, diagram_of, resolve_world
from engine.contract import ContractSettings
from engine.errors import DefinitionProblem, InvalidDefinitionError


def check_deployment(
    resources: Sequence[Resource],
    *,
    deployed: Fetch,
    missing: Callable[[Bundle], list[DefinitionProblem]],
    contract: ContractSettings,
) -> tuple[Bundle, list[DefinitionProblem]]:
    """Compile the resources, find calls to processes that exist nowhere, and check the diagram
    contract: (bundle, warnings), or `InvalidDefinitionError` with every problem (and the warnings)."""
    problems: list[DefinitionProblem] = []
    try:
        bundle: Bundle | None = compile_resources(resources)
    except InvalidDefinitionError as err:
        bundle, problems = None, err.problems
    if bundle is not None:
        problems = missing(bundle)
    new = [d for r in resources if (d := diagram_of(r.name, r.content, new=True)) is not None]
    findings = check_contract(resolve_world(new, deployed, contract.case_process), contract)
    if bundle is None or problems or findings.errors:
        raise InvalidDefinitionError(problems + findings.errors, findings.warnings)
    return bundle, findings.warnings


@dataclass(frozen=True)
class Validation:
    compiled: list[CompiledProcess | CompiledDecision]  # the processes, then every decision
    warnings: list[DefinitionProblem]


def validate_files(
    resources: Sequence[tuple[str, bytes]],
    *,
    deployed: Sequence[tuple[str, bytes]] = (),
    contract: ContractSettings,
) -> Validation:
    """Check files exactly as a deploy would, without storing anything (`sagsflow validate`).

    `deployed` stands for what a server has deployed (the workflows folder): the processes and
    decisions the files call but do not contain are taken from it, as a deploy takes them from
    the newest deployed versions. Raises `InvalidDefinitionError` like `deploy`.
    """
    given = [Resource(n, c) for n, c in resources]
    context = _Context(deployed, exclude=given)
    bundle, warnings = check_deployment(
        given,
        deployed=context.diagram,
        missing=context.missing_targets,
        contract=contract,
    )
    return Validation([*bundle.processes.values(), *bundle.decisions.values()], warnings)


class _Context:
    """Files standing for the deployed versions, by the process and decision ids they define.
    A file that defines an id one of the validated files defines is left out (it is replaced)."""

    def __init__(self, files: Sequence[tuple[str, bytes]], exclude: Sequence[Resource]) -> None:
        taken = {key for r in exclude for key in _keys(r)}
        self._by_key: dict[tuple[str, str], Resource] = {}
        for name, content in files:
            resource = Resource(name, content)
            keys = _keys(resource)
            if any(name == r.name for r in exclude) or keys & taken:
                continue
            for key in keys:
                self._by_key.setdefault(key, resource)

    def missing_targets(self, bundle: Bundle) -> list[DefinitionProblem]:
        """Calls and business rule tasks whose target is neither validated nor in the folder (by
        key only: the folder holds one version of each)."""
        calls = [
            DefinitionProblem(
                f"the called process '{call.settings.called_element}' is neither in this deployment "
                "nor deployed",
                call.resource_name,
                call.element_id,
            )
            for process in bundle.processes.values()
            for call in process.calls
            if "{" not in call.settings.called_element
            and call.settings.called_element not in bundle.processes
            and ("process", call.settings.called_element) not in self._by_key
        ]
        decisions = [
            DefinitionProblem(
                f"no decision '{use.ref.key}' is deployed; deploy its DMN file first or with this diagram",
                use.resource_name,
                use.element_id,
                use.line,
            )
            for use in bundle.decision_uses
            if "{" not in use.ref.key
            and use.ref.key not in bundle.decisions
            and ("decision", use.ref.key) not in self._by_key
        ]
        return calls + decisions

    def diagram(self, kind: str, key: str) -> Diagram | None:
        found = self._by_key.get((kind, key))
        return diagram_of(found.name, found.content, new=False) if found is not None else None


def _keys(resource: Resource) -> set[tuple[str, str]]:
    """("process", id) / ("decision", id) for what a file defines (nothing if unreadable)."""
    diagram = diagram_of(resource.name, resource.content, new=False)
    if diagram is None:
        return set()
    kind = "process" if resource.kind == "bpmn" else "decision"
    return {
        (kind, str(e.get("id")))
        for e in diagram.root
        if isinstance(e.tag, str) and etree.QName(e).localname == kind
    }
