"""Requests built from the OpenAPI description alone, so routes added later are probed unedited.

- A path parameter that names a case, task or instance (`case_id`, `task_id`, `instance_id`,
  `processInstanceId`, or `{id}` right after a `task`/`process-instance`/`case` segment) is an
  *object* parameter: it is filled with the id of the target case's object of that kind.
- Other parameters and body fields get a small valid value: required ones always; optional
  ones only when they name an object (then the target's id) so a body can point at a case too.
- JSON bodies are the minimal instance of the schema; multipart file fields get a BPMN file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from world import ATTACHMENT, MATRIX_BPMN, MESSAGE, PROCESS_KEY, TOPIC, Case

PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
PAST_INSTANT = "2026-01-05T07:00:00+00:00"  # before the tests' FakeClock start


def object_kind(text: str) -> str | None:
    """'task', 'external_task' or 'instance' if `text` (a parameter or path segment) names one."""
    lowered = text.lower().replace("-", "_")
    if "definition" in lowered or "deployment" in lowered:
        return None
    if "task" in lowered:
        return "external_task" if "external" in lowered else "task"
    if any(word in lowered for word in ("case", "instance", "execution")):
        return "instance"
    return None


def path_objects(path: str) -> dict[str, str]:
    """The object parameters of a path template and the kind each names."""
    segments = path.strip("/").split("/")
    found = {}
    for index, segment in enumerate(segments):
        match = PARAM.fullmatch(segment)
        if not match:
            continue
        name = match.group(1)
        kind = object_kind(name)
        previous = object_kind(segments[index - 1]) if index > 0 else None
        if (kind is None and name.lower() == "id") or (kind == "task" and previous == "external_task"):
            kind = previous
        if kind is not None:
            found[name] = kind
    return found


def is_object_route(path: str) -> bool:
    return bool(path_objects(path))


def only_object_params(path: str) -> bool:
    """True if every path parameter names an object (so a valid request surely exists)."""
    return len(PARAM.findall(path)) == len(path_objects(path))


def _after_variables(path: str, name: str) -> bool:
    segments = path.strip("/").split("/")
    for index, segment in enumerate(segments):
        match = PARAM.fullmatch(segment)
        if match and match.group(1) == name and index > 0:
            return "variable" in segments[index - 1].lower()
    return False


def _scalar_for_name(name: str, target: Case) -> Any:
    lowered = name.lower().replace("-", "_")
    kind = object_kind(name)
    if kind is not None and ("id" in lowered or lowered in ("case", "instance", "task")):
        return target.ids()[kind]
    if "business" in lowered:
        return target.business_key
    if "definition" in lowered and "id" in lowered:
        return target.definition_id
    if "message" in lowered or lowered == "name":
        return MESSAGE
    if "topic" in lowered:
        return TOPIC
    if lowered in ("key", "process_key", "processdefinitionkey", "process_definition_key"):
        return PROCESS_KEY
    if "tenant" in lowered or "municipality" in lowered:
        return target.municipality
    if "worker" in lowered:
        return "worker-1"
    return None


def names_object(name: str) -> bool:
    lowered = name.lower()
    return (object_kind(name) is not None and "id" in lowered) or "business" in lowered


class Sampler:
    def __init__(self, spec: dict[str, Any], target: Case) -> None:
        self.spec = spec
        self.target = target

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def value(self, schema: dict[str, Any], name: str = "", depth: int = 0) -> Any:
        schema = self.resolve(schema)
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in schema:
                options = [self.resolve(s) for s in schema[combinator]]
                options = [s for s in options if s.get("type") != "null"] or options
                return self.value(options[0], name, depth)
        by_name = _scalar_for_name(name, self.target) if name else None
        kind = schema.get("type")
        if by_name is not None and kind in (None, "string"):
            return by_name
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        return self._typed(kind, schema, name, depth)

    def _typed(self, kind: Any, schema: dict[str, Any], name: str, depth: int) -> Any:
        if kind == "object" or "properties" in schema:
            return self.object(schema, depth)
        if kind == "array":
            count = schema.get("minItems", 0)
            return [self.value(schema.get("items", {}), name, depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            low = schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else schema.get("minimum", 0)
            return int(low) if kind == "integer" else float(low)
        if kind == "boolean":
            return False
        if kind == "string":
            if schema.get("format") == "date-time":
                return PAST_INSTANT
            return "x" * max(1, int(schema.get("minLength", 1)))
        return None

    def object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        schema = self.resolve(schema)
        if depth > 4:
            return {}
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        body = {}
        for name, sub in properties.items():
            if name in required or names_object(name):
                body[name] = self.value(sub, name, depth + 1)
        return body


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    url: str
    query: dict[str, Any]
    json: Any
    files: list[tuple[str, tuple[str, bytes, str]]] | None
    data: dict[str, Any] | None

    def send(self, client: Any, headers: dict[str, str]) -> Any:
        kwargs: dict[str, Any] = {"params": self.query, "headers": headers}
        if self.files is not None:
            kwargs["files"] = self.files
            kwargs["data"] = self.data or {}
        elif self.json is not _NO_BODY:
            kwargs["json"] = self.json
        return client.request(self.method, self.url, **kwargs)


_NO_BODY = object()


def build_probe(spec: dict[str, Any], method: str, path: str, target: Case) -> Probe:
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    sampler = Sampler(spec, target)
    objects = path_objects(path)
    url = path
    query = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            if name in objects:
                value = target.ids()[objects[name]]
            elif _after_variables(path, name):
                # variables every matrix case holds: a File for …/variables/{name}/data, else a text
                value = ATTACHMENT if path.endswith("/data") else "marker"
            else:
                value = sampler.value(parameter["schema"], name)
            url = re.sub(r"\{" + re.escape(name) + r"(:[^}]*)?\}", str(value), url)
        elif parameter["in"] == "query" and parameter.get("required"):
            query[name] = sampler.value(parameter["schema"], name)
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        files, data = _multipart(sampler, content["multipart/form-data"]["schema"])
        return Probe(method, path, url, query, _NO_BODY, files, data)
    if "application/json" in content:
        body = sampler.value(content["application/json"]["schema"])
        return Probe(method, path, url, query, body if body is not None else {}, None, None)
    return Probe(method, path, url, query, _NO_BODY, None, None)


def _multipart(sampler: Sampler, schema: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    schema = sampler.resolve(schema)
    files: list[Any] = []
    data: dict[str, Any] = {}
    for name, raw in schema.get("properties", {}).items():
        sub = sampler.resolve(raw)
        binary = _is_binary(sub) or _is_binary(sub.get("items", {}))
        if binary:
            files.append((name, ("matrix.bpmn", MATRIX_BPMN, "text/xml")))
        elif name in schema.get("required", []):
            data[name] = sampler.value(sub, name)
    if not files:  # Camunda's deployment/create takes files under any field name
        files.append(("data", ("matrix.bpmn", MATRIX_BPMN, "text/xml")))
    return files, data


def _is_binary(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "binary" or schema.get("contentMediaType") == "application/octet-stream"


def stranger(case: Case) -> Case:
    """The same case with every id replaced by one that exists nowhere."""
    return Case(
        case.municipality,
        str(uuid.uuid4()),
        f"S-none-{uuid.uuid4().hex[:8]}",
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        case.definition_id,
        case.marker,
    )
