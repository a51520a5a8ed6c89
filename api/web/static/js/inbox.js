// The caseworkers' inbox: open user tasks (GET /tasks), claim one, open its form, complete it.

import { api } from "./api.js";
import { byId, caseLink, due, fill, fillFromQuery, h, message, param, table, variableEntries } from "./dom.js";
import { GROUPS, PHASES, TASK_STATE, label } from "./labels.js";
import { taskForm } from "./form.js";
import { camundaForm, hasCamundaForm } from "./camunda-form.js";
import { problemText, showProblem, startPage } from "./layout.js";

const FILTERS = ["candidate_group", "business_key", "unassigned"];

function filters() {
  const params = new URLSearchParams(location.search);
  const found = {};
  for (const name of FILTERS) found[name] = params.get(name) || undefined;
  return found;
}

/** This page's URL with `task` set (or removed when null). */
function urlWith(taskId) {
  const params = new URLSearchParams(location.search);
  if (taskId) params.set("task", taskId);
  else params.delete("task");
  const text = params.toString();
  return "/ui/tasks" + (text ? "?" + text : "");
}

async function claim(taskId) {
  try {
    await api(`/tasks/${encodeURIComponent(taskId)}/claim`, { method: "POST" });
    fill(byId("inbox-message"), message("success", "Opgaven er taget."));
  } catch (error) {
    fill(byId("inbox-message"), message("error", "Opgaven kunne ikke tages. ", problemText(error)));
  }
  await Promise.all([loadList(), param("task") === taskId ? openTask(taskId) : null]);
}

function row(task) {
  const claimButton = h("button", { type: "button", class: "small secondary", dataset: { claim: task.id } }, "Tag opgaven");
  claimButton.addEventListener("click", () => claim(task.id));
  return [
    [
      h("a", { href: urlWith(task.id), class: "task-link", dataset: { taskId: task.id } }, task.name),
      task.candidate_groups.length
        ? h("span", { class: "sub" }, task.candidate_groups.map((g) => label(GROUPS, g)).join(", "))
        : null,
    ],
    caseLink(task.case_id, task.business_key || task.case_id),
    label(PHASES, task.phase),
    task.assignee || "Ikke tildelt",
    due(task),
    task.assignee ? "" : claimButton,
  ];
}

async function loadList() {
  const box = byId("task-list");
  try {
    const page = await api("/tasks", { query: { ...filters(), limit: 100 } });
    fill(
      box,
      h("h2", {}, `Åbne opgaver (${page.total})`),
      table(["Opgave", "Sag", "Fase", "Tildelt", "Frist", ""], page.items.map(row), {
        empty: "Ingen åbne opgaver.",
      }),
    );
    document.body.dataset.listLoaded = String(Date.now());
  } catch (error) {
    showProblem(box, error);
  }
}

function completed(task, kase) {
  history.replaceState(null, "", urlWith(null));
  fill(
    byId("task-panel"),
    message("success", `Opgaven „${task.name}“ er afsluttet. Sagen er nu i fasen ${label(PHASES, kase.phase)}.`),
    h("p", {}, caseLink(kase.id, "Se sagen " + (kase.business_key || kase.id))),
  );
  loadList();
}

function variables(values) {
  const entries = variableEntries(values);
  if (!entries.length) return null;
  return h("details", {}, h("summary", {}, "Sagens oplysninger"), h("dl", { class: "facts" }, entries));
}

async function openTask(taskId) {
  const panel = byId("task-panel");
  let task;
  try {
    task = await api(`/tasks/${encodeURIComponent(taskId)}`);
  } catch (error) {
    showProblem(panel, error);
    return;
  }
  const header = [
    h("h2", { id: "task-title" }, task.name),
    h(
      "p",
      { class: "task-meta" },
      "Sag ",
      caseLink(task.case_id, task.business_key || task.case_id),
      ` · ${label(PHASES, task.phase)} · Frist `,
      due(task),
      ` · ${task.assignee ? "Tildelt " + task.assignee : "Ikke tildelt"}`,
    ),
  ];
  if (task.state !== "open") {
    fill(panel, header, message("info", `Opgaven er ${label(TASK_STATE, task.state).toLowerCase()}.`));
    return;
  }
  const form = hasCamundaForm(task) ? camundaForm(task, completed) : taskForm(task, completed);
  fill(panel, header, form, variables(task.variables));
  panel.dataset.taskId = task.id;
}

if (startPage("tasks")) {
  fillFromQuery(byId("filters"));
  loadList();
  const taskId = param("task");
  if (taskId) openTask(taskId);
}
