"""A plain camunda-external-task-client-python3 worker for the topics an example leaves out.

Usage: python complete_topics.py ENGINE_URL USER PASSWORD TOPIC [TOPIC ...]

Some of the client's examples subscribe one topic and leave the others of their diagram
commented out; this worker (the same real client, no example code) completes those tasks
without variables, so the process can run to its end.
"""

from __future__ import annotations

import sys
import threading

from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker


def complete(task: ExternalTask) -> TaskResult:
    return task.complete()


def main() -> None:
    url, user, password, *topics = sys.argv[1:]
    config = {
        "auth_basic": {"username": user, "password": password},
        "maxTasks": 1,
        "lockDuration": 10000,
        "asyncResponseTimeout": 5000,
        "sleepSeconds": 0,
    }
    for number, topic in enumerate(topics):
        worker = ExternalTaskWorker(worker_id=f"corpus-complete-{number}", base_url=url, config=config)
        threading.Thread(target=worker.subscribe, args=(topic, complete), daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
