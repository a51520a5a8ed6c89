// A user task's Camunda Form: the form-js JSON schema a process owner drew in Camunda Modeler
// (GET /tasks/{id}/camunda-form), rendered with bpmn-io's form-js viewer (vendor/form-js, from npm
// via scripts/setup-web; the page loads it) and filled with the case's variables. "Afslut opgaven"
// checks the form in the browser as form-js does, then completes the task through the same
// POST /tasks/{id}/complete as every other form: the server checks the same schema again
// (required fields, types, patterns) and a refusal is shown above the form, field by field.

import { api, ApiError } from "./api.js";
import { fill, h, message } from "./dom.js";
import { missingLibrary, problemText } from "./layout.js";

/** Whether the task names a Camunda Form (camunda:formRef, or a camunda-forms: form key). */
export function hasCamundaForm(task) {
  return Boolean(task.form_ref) || String(task.form_key || "").startsWith("camunda-forms:");
}

function refusal(error) {
  const problems = (error instanceof ApiError && error.problem.errors) || [];
  const status = error instanceof ApiError ? ` (${error.status})` : "";
  return h(
    "div",
    { class: "message message-error", role: "alert", tabindex: "-1" },
    h("strong", {}, `Opgaven blev ikke afsluttet${status}.`),
    problems.length
      ? h(
          "ul",
          { class: "problem-list" },
          problems.map((p) => h("li", {}, h("code", {}, p.name), ": ", p.message_da || p.message)),
        )
      : h("p", {}, problemText(error)),
  );
}

async function render(task, container, problem, submit, onDone) {
  if (!window.FormViewer || !window.FormViewer.Form) {
    fill(problem, missingLibrary("Formularen"));
    submit.disabled = true;
    return;
  }
  const schema = await api(`/tasks/${encodeURIComponent(task.id)}/camunda-form`);
  const viewer = new window.FormViewer.Form({ container });
  await viewer.importSchema(schema, task.variables || {});
  submit.addEventListener("click", async () => {
    const { data, errors } = viewer.submit();
    if (Object.keys(errors).length) {
      fill(problem, message("error", "Ret de markerede felter i formularen."));
      return;
    }
    submit.disabled = true;
    try {
      const kase = await api(`/tasks/${encodeURIComponent(task.id)}/complete`, {
        method: "POST",
        body: { variables: data },
      });
      onDone(task, kase);
    } catch (error) {
      const shown = refusal(error);
      fill(problem, shown);
      shown.focus();
    } finally {
      submit.disabled = false;
    }
  });
  document.body.dataset.camundaForm = "ready";
}

/** The Camunda Form of `task`; `onDone(task, kase)` runs after a successful completion. */
export function camundaForm(task, onDone) {
  const problem = h("div", { class: "form-problem", "aria-live": "polite" });
  const container = h("div", { class: "camunda-form", id: "camunda-form" });
  const submit = h("button", { type: "button", id: "camunda-form-submit" }, "Afslut opgaven");
  render(task, container, problem, submit, onDone).catch((error) => {
    fill(problem, message("error", "Formularen kunne ikke hentes. ", problemText(error)));
    submit.disabled = true;
  });
  return h("div", { class: "task-form" }, problem, container, submit);
}
