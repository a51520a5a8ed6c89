"""Running the real-world Camunda 7 corpus (tests/camunda/corpus) against a live server.

Each scenario deploys its files exactly as Camunda Modeler 5 sends them (one multipart
deployment, the diagram first, attachments after), starts the process as the Modeler's *Start
instance* does (or by message), runs the client examples' own worker scripts (the real JS and
Python external-task clients, changed only in URL and credentials: see corpus_launch/), acts
on user tasks as Tasklist would (`submit-form`, `bpmnError`, `bpmnEscalation`), and waits for
the instance to end. The outcome is "completed", "refused" (the deploy answered 400; every
reason is kept) or "failed" (with what was seen).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from support.camunda import DEMO, OWNER, WORKER, Account, CamundaServer
from support.live import ROOT

CORPUS = ROOT / "tests" / "camunda" / "corpus"
LAUNCH = ROOT / "tests" / "camunda" / "corpus_launch"
SCENARIOS = CORPUS / "scenarios.json"
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.1


@dataclass
class Outcome:
    scenario: str
    kind: str  # "completed" | "refused" | "failed"
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load_scenarios() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCENARIOS.read_text())
    return loaded


class ScenarioFailedError(Exception):
    pass


class Runner:
    """Runs scenarios against one live server."""

    def __init__(self, camunda: CamundaServer) -> None:
        self.camunda = camunda

    def http(self, account: Account = WORKER) -> httpx.Client:
        # Camunda Modeler aborts every request after 5 s; the workers' clients wait longer.
        return httpx.Client(
            base_url=self.camunda.engine_url,
            auth=account.auth,
            headers={"accept": "application/json"},
            timeout=5,
        )

    def run(self, scenario: dict[str, Any]) -> Outcome:
        began = time.monotonic()
        try:
            deployed = self.deploy(scenario)
            if isinstance(deployed, list):
                return Outcome(scenario["id"], "refused", deployed, time.monotonic() - began)
            if "start" not in scenario and "evaluate" not in scenario:
                return Outcome(
                    scenario["id"], "failed", ["deployed without a refusal"], time.monotonic() - began
                )
            if "evaluate" in scenario:
                self.evaluate(scenario["evaluate"])
                return Outcome(scenario["id"], "completed", [], time.monotonic() - began)
            with self.workers(scenario.get("workers", [])), self.stopping_timers(scenario):
                instance_id = self.start(scenario, deployed)
                for step in scenario.get("steps", []):
                    self.step(step, instance_id)
                self.wait_until_ended(instance_id)
                self.check_variables(instance_id, scenario.get("expect", {}).get("variables", {}))
        except ScenarioFailedError as err:
            return Outcome(scenario["id"], "failed", [str(err)], time.monotonic() - began)
        return Outcome(scenario["id"], "completed", [], time.monotonic() - began)

    # --- Camunda Modeler: deploy and start ---------------------------------------------------

    def deploy(self, scenario: dict[str, Any]) -> dict[str, Any] | list[str]:
        transform = (
            without_scripts_and_java if scenario.get("variant") == "without-scripts-and-java" else None
        )
        files = []
        for name in scenario["files"]:
            content = (CORPUS / name).read_bytes()
            if transform is not None and name.endswith(".bpmn"):
                content = transform(content)
            files.append((Path(name).name, (Path(name).name, content, "text/xml")))
        fields = {
            "deployment-name": Path(scenario["files"][0]).stem,
            "deployment-source": "Camunda Modeler",
            "enable-duplicate-filtering": "true",
        }
        with self.http(OWNER) as c:
            response = c.post("/deployment/create", data=fields, files=files)
        if response.status_code == 400:
            return _reasons(response.json())
        if response.status_code != 200:
            raise ScenarioFailedError(f"deploy answered {response.status_code}: {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body

    def start(self, scenario: dict[str, Any], deployed: dict[str, Any]) -> str:
        start = scenario["start"]
        if "timer" in start:
            return self.started_by_timer(start["timer"], deployed)
        variables = start.get("variables", {})
        business_key = start.get("businessKey")
        with self.http() as c:
            if "message" in start:
                body = {"messageName": start["message"], "businessKey": business_key, "resultEnabled": True}
                response = c.post("/message", json={**body, "processVariables": variables})
                _expect(response, 200, "message start")
                instance_id: str = response.json()[0]["processInstance"]["id"]
                return instance_id
            definitions = deployed.get("deployedProcessDefinitions") or {}
            wanted = [d["id"] for d in definitions.values() if d["key"] == start["key"]]
            if not wanted:  # an unchanged redeploy (duplicate filtering) lists no definitions
                known = c.get(f"/process-definition/key/{start['key']}")
                _expect(known, 200, f"process definition {start['key']}")
                wanted = [known.json()["id"]]
            response = c.post(
                f"/process-definition/{wanted[0]}/start",
                json={"businessKey": business_key, "variables": variables},
            )
        _expect(response, 200, "start")
        instance_id = response.json()["id"]
        return instance_id

    def started_by_timer(self, key: str, deployed: dict[str, Any]) -> str:
        """A timer start event starts the instance on its own: the first one of the deployed version."""
        definitions = deployed.get("deployedProcessDefinitions") or {}
        (definition_id,) = [d["id"] for d in definitions.values() if d["key"] == key]

        def first() -> str | None:
            with self.http() as c:
                found = c.get("/history/process-instance", params={"processDefinitionId": definition_id})
            started = sorted(found.json(), key=lambda i: str(i["startTime"])) if found.is_success else []
            return str(started[0]["id"]) if started else None

        return _poll(first, f"a timer start event of {key} to start an instance", lambda: "none started")

    @contextmanager
    def stopping_timers(self, scenario: dict[str, Any]) -> Iterator[None]:
        """After a scenario whose timer start event keeps starting instances (a cron cycle), the
        operator deploys a version of the key without it: Camunda then removes the timer."""
        try:
            yield
        finally:
            key = scenario.get("start", {}).get("timer")
            if key is not None:
                self.deploy_without_timer(key)

    def deploy_without_timer(self, key: str) -> None:
        plain = (
            '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="stop" targetNamespace="x">'
            f'<bpmn:process id="{key}" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/></bpmn:process>'
            "</bpmn:definitions>"
        )
        with self.http(OWNER) as c:
            response = c.post("/deployment/create", files=[("stop.bpmn", ("stop.bpmn", plain, "text/xml"))])
        _expect(response, 200, f"deploy {key} without its timer start event")

    # --- what people and other systems do ----------------------------------------------------

    def step(self, step: dict[str, Any], instance_id: str) -> None:
        if "task" in step:
            self.task_step(step, instance_id)
        elif "message" in step:
            body = {"messageName": step["message"], "businessKey": step.get("businessKey")}
            body["processVariables"] = step.get("variables", {})
            with self.http() as c:
                _expect(c.post("/message", json=body), 204, f"message {step['message']}")
        elif "python" in step:
            self.run_python_example(step["python"])
        elif "wait" in step:
            self.wait_for_activity(instance_id, step["wait"])
        elif "set" in step:
            with self.http() as c:
                response = c.post(
                    f"/process-instance/{instance_id}/variables", json={"modifications": step["set"]}
                )
            _expect(response, 204, "set variables")
        elif "external_error" in step:
            self.external_error(instance_id, step["external_error"], step["code"])
        else:
            raise ScenarioFailedError(f"unknown step {step}")

    def task_step(self, step: dict[str, Any], instance_id: str) -> None:
        task_id = self.wait_for_task(instance_id, step["task"])
        with self.http(DEMO) as c:  # Tasklist's user
            if "bpmnError" in step:
                response = c.post(f"/task/{task_id}/bpmnError", json={"errorCode": step["bpmnError"]})
            elif "bpmnEscalation" in step:
                response = c.post(
                    f"/task/{task_id}/bpmnEscalation", json={"escalationCode": step["bpmnEscalation"]}
                )
            else:
                response = c.post(f"/task/{task_id}/submit-form", json={"variables": step.get("submit", {})})
        _expect(response, 204, f"task {step['task']}")

    def instances_of(self, instance_id: str) -> list[str]:
        """The instance and every process instance its call activities started (Tasklist finds
        tasks of called processes too)."""
        found, pending = [], [instance_id]
        with self.http() as c:
            while pending:
                current = pending.pop()
                found.append(current)
                children = c.get("/process-instance", params={"superProcessInstance": current}).json()
                pending += [child["id"] for child in children]
        return found

    def wait_for_task(self, instance_id: str, key: str) -> str:
        def found() -> str | None:
            with self.http() as c:
                for process in self.instances_of(instance_id):
                    params = {"processInstanceId": process, "taskDefinitionKey": key}
                    tasks = c.get("/task", params=params).json()
                    if tasks:
                        return str(tasks[0]["id"])
            return None

        return _poll(found, f"user task '{key}' to open", self.where(instance_id))

    def wait_for_activity(self, instance_id: str, activity: str) -> None:
        def waiting() -> bool | None:
            with self.http() as c:
                response = c.get(
                    "/process-instance", params={"processInstanceIds": instance_id, "activityIdIn": activity}
                )
            return True if response.is_success and response.json() else None

        _poll(waiting, f"the instance to wait at '{activity}'", self.where(instance_id))

    def external_error(self, instance_id: str, topic: str, code: str) -> None:
        """What a worker does that reports a BPMN error (fetch and lock, then bpmnError)."""
        body = {"workerId": "corpus", "maxTasks": 1, "asyncResponseTimeout": 5000}
        body["topics"] = [{"topicName": topic, "lockDuration": 10000, "processDefinitionKey": None}]
        with httpx.Client(base_url=self.camunda.engine_url, auth=WORKER.auth, timeout=15) as c:
            locked = c.post("/external-task/fetchAndLock", json=body).json()
            if not locked:
                raise ScenarioFailedError(f"no external task on topic '{topic}': {self.where(instance_id)()}")
            response = c.post(
                f"/external-task/{locked[0]['id']}/bpmnError", json={"workerId": "corpus", "errorCode": code}
            )
        _expect(response, 204, f"bpmnError {code}")

    def evaluate(self, evaluation: dict[str, Any]) -> None:
        """A DMN-only deployment runs to its end when its decision evaluates (Camunda's evaluate)."""
        with self.http() as c:
            response = c.post(
                f"/decision-definition/key/{evaluation['key']}/evaluate",
                json={"variables": evaluation["variables"]},
            )
        _expect(response, 200, f"evaluate {evaluation['key']}")
        if not response.json():
            raise ScenarioFailedError(f"decision {evaluation['key']} matched no rule")

    def wait_until_ended(self, instance_id: str) -> None:
        def ended() -> bool | None:
            with self.http() as c:
                state = c.get(f"/history/process-instance/{instance_id}").json().get("state")
            return True if state == "COMPLETED" else None

        _poll(ended, "the instance to end", self.where(instance_id))

    def where(self, instance_id: str) -> Any:
        """For failure messages: where the instance stands."""

        def describe() -> str:
            with self.http() as c:
                history = c.get(f"/history/process-instance/{instance_id}").json()
                incidents = c.get("/incident", params={"processInstanceId": instance_id}).json()
                tree = c.get(f"/process-instance/{instance_id}/activity-instances")
            waiting = (
                [a["activityId"] for a in tree.json().get("childActivityInstances", [])]
                if tree.is_success
                else []
            )
            messages = [i.get("incidentMessage") for i in incidents]
            return f"state {history.get('state')}, waiting at {waiting}, incidents {messages}"

        return describe

    def check_variables(self, instance_id: str, expected: dict[str, Any]) -> None:
        """The ended instance's variables (Sagsflow keeps them readable after the end)."""
        if not expected:
            return
        with self.http() as c:
            seen = c.get(f"/process-instance/{instance_id}/variables").json()
        values = {k: _plain(v) for k, v in seen.items()}
        wrong = {k: values.get(k) for k, v in expected.items() if values.get(k) != v}
        if wrong:
            raise ScenarioFailedError(f"variables {wrong} differ from {expected}")

    # --- the client examples' workers ------------------------------------------------------------

    @contextmanager
    def workers(self, workers: list[dict[str, Any]]) -> Iterator[None]:
        started = [self.launch(w) for w in workers]
        try:
            yield
        finally:
            for process in started:
                _stop(process)

    def launch(self, worker: dict[str, Any]) -> subprocess.Popen[bytes]:
        env = {**os.environ, "ENGINE_URL": self.camunda.engine_url, "ENGINE_USER": WORKER.username}
        env["ENGINE_PASSWORD"] = WORKER.password
        if "js" in worker:
            script = CORPUS / worker["js"]
            command = ["node", "--import", str(LAUNCH / "register.mjs"), str(script)]
            cwd = script.parent
        elif "python" in worker:
            command = [sys.executable, str(LAUNCH / "python_example.py"), str(CORPUS / worker["python"])]
            command += [self.camunda.engine_url, WORKER.username, WORKER.password]
            cwd = CORPUS
        else:
            command = [sys.executable, str(LAUNCH / "complete_topics.py"), self.camunda.engine_url]
            command += [WORKER.username, WORKER.password, *worker["topics"]]
            cwd = CORPUS
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def run_python_example(self, example: str) -> None:
        command = [sys.executable, str(LAUNCH / "python_example.py"), str(CORPUS / example)]
        command += [self.camunda.engine_url, WORKER.username, WORKER.password]
        done = subprocess.run(command, cwd=CORPUS, capture_output=True, timeout=WAIT_SECONDS, check=False)
        if done.returncode != 0:
            raise ScenarioFailedError(f"{example} exited {done.returncode}: {done.stderr.decode()[-300:]}")


CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
JAVA_ATTRIBUTES = ("class", "delegateExpression", "expression")


def without_scripts_and_java(content: bytes) -> bytes:
    """The issue's invoice variant: every listener or input/output parameter that runs a script
    (JavaScript, Groovy) is removed, and a service task's Java reference (`camunda:class`,
    `delegateExpression`, `expression`) becomes an external task whose topic is the element id
    (Camunda's own alternative to a Java delegate). Nothing else changes."""
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    for script in list(root.iter(f"{{{CAMUNDA_NS}}}script")):
        owner = script.getparent()
        owner.getparent().remove(owner)
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).localname != "serviceTask":
            continue
        if any(element.get(f"{{{CAMUNDA_NS}}}{a}") for a in JAVA_ATTRIBUTES):
            for attribute in JAVA_ATTRIBUTES:
                element.attrib.pop(f"{{{CAMUNDA_NS}}}{attribute}", None)
            element.set(f"{{{CAMUNDA_NS}}}type", "external")
            element.set(f"{{{CAMUNDA_NS}}}topic", element.get("id", ""))
    cleaned: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return cleaned


def _plain(variable: dict[str, Any]) -> Any:
    """A typed Camunda variable's value (a Json value is sent as a JSON string)."""
    value = variable.get("value")
    return json.loads(value) if variable.get("type") == "Json" and isinstance(value, str) else value


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _poll(probe: Any, what: str, where: Any) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(POLL_SECONDS)
    raise ScenarioFailedError(f"waited {WAIT_SECONDS:.0f} s for {what}: {where()}")


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise ScenarioFailedError(f"{what} answered {response.status_code}: {response.text[:300]}")


def _reasons(body: dict[str, Any]) -> list[str]:
    details = body.get("details") or {}
    found = [
        f"{resource}: {error.get('mainBpmnElementId') or '-'}: {error.get('message')}"
        for resource, entry in details.items()
        for error in entry.get("errors", [])
    ]
    return found or [str(body.get("message"))]


def table(outcomes: list[Outcome], scenarios: list[dict[str, Any]]) -> str:
    """The markdown table for the note: every scenario, its category and outcome, every refusal reason."""
    by_id = {s["id"]: s for s in scenarios}
    lines = ["| scenario | category | outcome | reasons |", "|---|---|---|---|"]
    for outcome in outcomes:
        scenario = by_id[outcome.scenario]
        reasons = "<br>".join(r.replace("|", "\\|") for r in outcome.reasons) or ""
        lines.append(f"| {outcome.scenario} | {scenario['category']} | {outcome.kind} | {reasons} |")
    return "\n".join(lines) + "\n"
