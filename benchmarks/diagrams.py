"""The diagram every step benchmark runs: seven user tasks in a row, each with a small form, as
Camunda Modeler writes them. A "step" completes one task and commits the next wait state."""

from __future__ import annotations

PROCESS_KEY = "bench_linear"
TASKS = 7
VARIABLES = {"note": "samtale gennemført", "ok": True}


def linear_process(tasks: int = TASKS) -> bytes:
    body = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for i in range(tasks):
        source = "start" if i == 0 else f"t{i - 1}"
        body.append(
            f'<bpmn:userTask id="t{i}" name="Opgave {i + 1}" camunda:candidateGroups="raadgiver">'
            "<bpmn:extensionElements><camunda:formData>"
            '<camunda:formField id="note" label="Notat" type="string" />'
            '<camunda:formField id="ok" label="I orden" type="boolean" />'
            "</camunda:formData></bpmn:extensionElements>"
            f"<bpmn:incoming>f{i}</bpmn:incoming><bpmn:outgoing>f{i + 1}</bpmn:outgoing></bpmn:userTask>"
        )
        body.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{source}" targetRef="t{i}" />')
    body.append(f'<bpmn:endEvent id="end"><bpmn:incoming>f{tasks}</bpmn:incoming></bpmn:endEvent>')
    body.append(f'<bpmn:sequenceFlow id="f{tasks}" sourceRef="t{tasks - 1}" targetRef="end" />')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_bench" '
        'targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.50.1">\n'
        f'<bpmn:process id="{PROCESS_KEY}" name="Benchmark" isExecutable="true">\n'
        + "\n".join(body)
        + "\n</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()
