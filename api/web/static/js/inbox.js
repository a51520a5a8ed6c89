// The inbox: a caseworker's own tasks, their team's untaken tasks and (for leaders) escalations,
// tasks others hold and who holds what; due soon first. A task opens beside the lists with its
// case, phase, deadline and form; it can be taken, put back and (by leaders) given to a colleague.

import { api } from "./api.js";
import { now } from "./clock.js";
import { byId, due, fill, fillFromQuery, h, message, param, table, variableEntries } from "./dom.js";
import { GROUPS, PHASES, TASK_STATE, label } from "./labels.js";
import { taskForm } from "./form.js";
import { camundaForm, hasCamundaForm } from "./camunda-form.js";
import { isLeader, problemText, showProblem, startPage } from "./layout.js";
import { causeNote, caseOf, colleagueList, phaseOf, ruleOf, taskActions, taskFacts } from "./tasks.js";

const FILTERS = ["candidate_group", "business_key", "assignee", "unassigned"];
const LIMIT = 200;
let session = null;
let leader = false;

function filtered() {
  const params = new URLSearchParams(location.search);
  return FILTERS.some((name) => params.get(name));
}

/** This page's URL with `task` set (or removed when null). */
function urlWith(taskId) {
  const params = new URLSearchParams(location.search);
  if (taskId) params.set("task", taskId);
  else params.delete("task");
  const text = params.toString();
  return "/ui/tasks" + (text ? "?" + text : "");
}

function announce(kind, text) {
  fill(byId("inbox-message"), message(kind, text));
}

async function changed(text, taskId) {
  announce("success", text);
  await Promise.all([loadLists(), param("task") === taskId ? openTask(taskId) : null]);
  // The button pressed is gone with the old row: keep the keyboard user at the task, where it is now.
  const moved = document.querySelector(`#task-lists a[data-task-id="${CSS.escape(taskId)}"]`);
  (moved || byId("inbox-message")).focus();
}

function actions(task) {
  return taskActions(task, session, {
    leader,
    changed: (text) => changed(text, task.id),
    failed: (text) => announce("error", "Det lykkedes ikke: " + text),
  });
}

/** The task's name (a link that opens it), with its phase, legal deadline and group below, and
 * for an escalation which deadline was missed. */
function nameCell(task) {
  const groups = task.candidate_groups.map((g) => label(GROUPS, g)).join(", ");
  return [
    h("a", { href: urlWith(task.id), class: "task-link", dataset: { taskId: task.id } }, task.name),
    h("span", { class: "sub" }, `Fase: ${phaseOf(task)} · Frist: ${ruleOf(task)}`, groups ? ` · ${groups}` : null),
    causeNote(task),
  ];
}

const COLUMNS = {
  task: ["Opgave", nameCell],
  case: ["Sag", caseOf],
  due: ["Udløber", (t) => due(t, now())],
  holder: ["Tildelt", (t) => t.assignee || "Ikke tildelt"],
  actions: ["Handling", actions],
};

function taskTable(tasks, columns, empty) {
  const chosen = columns.map((c) => COLUMNS[c]);
  return table(
    chosen.map(([heading]) => heading),
    tasks.map((task) => chosen.map(([, cell]) => cell(task))),
    { empty },
  );
}

async function section(id, title, query, { columns, empty, keep = () => true }) {
  const box = byId(id);
  box.hidden = false;
  try {
    const page = await api("/tasks", { query: { ...query, limit: LIMIT } });
    const tasks = page.items.filter(keep);
    fill(box, h("h2", { id: `${id}-title` }, `${title} (${tasks.length})`), taskTable(tasks, columns, empty));
  } catch (error) {
    fill(box, h("h2", { id: `${id}-title` }, title), message("error", problemText(error)));
  }
}

async function holders() {
  const box = byId("holders");
  box.hidden = false;
  const title = h("h2", { id: "holders-title" }, "Hvem har hvad");
  try {
    const workload = await api("/reports/workload");
    const link = (user) => h("a", { href: "/ui/tasks?assignee=" + encodeURIComponent(user) }, user);
    fill(
      box,
      title,
      table(
        ["Medarbejder", "Opgaver", "Overskredne", "Udløber inden 7 dage", "Aktive sager"],
        workload.items.map((p) => [link(p.user), p.open_tasks, p.overdue_tasks, p.due_soon_tasks, p.active_cases]),
        { empty: "Ingen har opgaver eller sager lige nu.", numeric: [1, 2, 3, 4] },
      ),
    );
  } catch (error) {
    fill(box, title, message("error", problemText(error)));
  }
}

async function loadLists() {
  const params = new URLSearchParams(location.search);
  const everyone = ["task", "case", "due", "holder", "actions"];
  let work;
  if (filtered()) {
    const query = {};
    for (const name of FILTERS) query[name] = params.get(name) || undefined;
    work = [section("results", "Opgaver der matcher", query, { columns: everyone, empty: "Ingen opgaver matcher." })];
  } else {
    const mine = ["task", "case", "due", "actions"];
    work = [
      section("mine", "Mine opgaver", { assignee: session.user }, { columns: mine, empty: "Du har ingen opgaver." }),
      section("team", "Teamets opgaver, som ingen har taget", { unassigned: true, candidate_group: "raadgiver" }, {
        columns: mine,
        empty: "Alle teamets opgaver er taget.",
      }),
    ];
    if (leader) {
      work.push(
        section("escalations", "Ledelsestilsyn", { candidate_group: "leder" }, {
          columns: everyone,
          empty: "Ingen overskredne frister venter på en leder.",
          keep: (t) => t.assignee !== session.user,
        }),
        section("others", "Opgaver andre har", { candidate_group: "raadgiver" }, {
          columns: everyone,
          empty: "Ingen andre har opgaver.",
          keep: (t) => t.assignee && t.assignee !== session.user,
        }),
        holders(),
      );
    }
  }
  await Promise.all(work);
  document.body.dataset.listLoaded = String(Date.now());
}

function completed(task, kase) {
  history.replaceState(null, "", urlWith(null));
  const done = message("success", `Opgaven „${task.name}“ er afsluttet. Sagen er nu i fasen ${label(PHASES, kase.phase)}.`);
  done.tabIndex = -1;
  fill(byId("task-panel"), done, h("p", {}, caseOf({ case_id: kase.id, business_key: kase.business_key })));
  done.focus();
  loadLists();
}

function variables(values) {
  const entries = variableEntries(values);
  if (!entries.length) return null;
  return h("details", {}, h("summary", {}, "Sagens oplysninger"), h("dl", { class: "facts" }, entries));
}

/** The lists take the whole width until a task is opened beside them. */
function showPanel(shown) {
  byId("task-panel").hidden = !shown;
  byId("inbox-split").classList.toggle("with-task", shown);
}

async function openTask(taskId) {
  const panel = byId("task-panel");
  showPanel(true);
  let task;
  try {
    task = await api(`/tasks/${encodeURIComponent(taskId)}`);
  } catch (error) {
    showProblem(panel, error);
    return;
  }
  const title = h("h2", { id: "task-title", tabindex: "-1" }, task.name);
  const header = [title, h("dl", { class: "facts task-facts" }, taskFacts(task)), causeNote(task), actions(task)];
  if (task.state !== "open") {
    fill(panel, header, message("info", `Opgaven er ${label(TASK_STATE, task.state).toLowerCase()}.`));
  } else {
    const form = hasCamundaForm(task) ? camundaForm(task, completed) : taskForm(task, completed);
    fill(panel, header, form, variables(task.variables));
  }
  panel.dataset.taskId = task.id;
  showPanel(true);
  title.focus();
}

async function run(found) {
  session = found;
  leader = isLeader(session);
  fillFromQuery(byId("filters"));
  if (leader) byId("filters").append(await colleagueList());
  const taskId = param("task");
  await Promise.all([loadLists(), taskId ? openTask(taskId) : null]);
}

startPage("tasks").then(run, () => null);
