"""A Camunda Form in the inbox: Camunda's get-started payment process (tests/camunda/corpus) with its
own payment.form, rendered by the form-js viewer under the pages' Content-Security-Policy (a
violation fails the test), filled in and submitted through POST /tasks/{id}/complete."""

from playwright.sync_api import Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import Api, login, shot

from support.corpus import CORPUS
from support.live import LiveServer

STEP = CORPUS / "camunda-get-started-quickstart" / "7ff3733"


def deploy_and_start(api: Api) -> str:
    files = [
        (name, (name, (STEP / folder / name).read_bytes(), "text/xml"))
        for folder, name in (("bpmn", "payment.bpmn"), ("form", "payment.form"))
    ]
    deployed = api.client.post(
        "/engine-rest/deployment/create", data={"deployment-name": "payment"}, files=files
    )
    assert deployed.status_code == 200, deployed.text
    variables = {"amount": {"value": 420, "type": "Long"}, "item": {"value": "Sykkel", "type": "String"}}
    started = api.client.post(
        "/engine-rest/process-definition/key/payment-retrieval/start", json={"variables": variables}
    )
    assert started.status_code == 200, started.text
    tasks = api.client.get("/engine-rest/task", params={"processInstanceId": started.json()["id"]}).json()
    return str(tasks[0]["id"])


def test_a_camunda_form_is_rendered_filled_in_and_completed(page: Page, server: LiveServer, api: Api) -> None:
    task_id = deploy_and_start(api)
    login(page, server.url, server.token, f"/ui/tasks?task={task_id}")
    form = page.locator("#camunda-form")
    expect(page.locator("body")).to_have_attribute("data-camunda-form", "ready")
    expect(form.get_by_label("Item")).to_have_value("Sykkel")  # filled with the case's variables
    expect(form.get_by_label("Amount")).to_have_value("420")
    form.get_by_label("Approved?").check()
    assert_accessible(page)  # the form-js form inside the task page
    shot(page, "inbox-camunda-form")
    page.locator("#camunda-form-submit").click()
    expect(page.locator("#task-panel")).to_contain_text("er afsluttet")
    done = api.get(f"/tasks/{task_id}")
    assert done["state"] == "completed"
    variables = api.client.get(f"/engine-rest/process-instance/{done['case_id']}/variables").json()
    assert variables["approved"]["value"] is True and variables["item"]["value"] == "Sykkel"
