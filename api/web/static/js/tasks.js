// How a task is shown wherever it appears: which case, phase, legal deadline and when it falls due;
// for an escalation which deadline was missed and by how much; and the buttons to take it, put it
// back (Læg tilbage) or — for leaders — give it to a colleague (Tildel).

import { api } from "./api.js";
import { now } from "./clock.js";
import { caseLink, due, dueText, h, span } from "./dom.js";
import { CAUSES, DEADLINES, PHASES, label } from "./labels.js";
import { problemText } from "./layout.js";

/** The rule a deadline code names, in Danish ("Børnefaglig undersøgelse (4 måneder)"). */
export function ruleName(code) {
  return code ? label(DEADLINES, code) : "Ingen lovbestemt frist";
}

export function caseOf(task) {
  return caseLink(task.case_id, task.business_key || "Sag uden nummer");
}

/** "Frist overskredet: Børnefaglig undersøgelse (4 måneder) — fristen var senest torsdag
 * 02.07.2026, overskredet med 12 dage" with a link to the case; null for a task no deadline made.
 * How much is measured from the instant the deadline passed to now (the service's clock). */
export function causeNote(task) {
  const cause = task.cause;
  if (!cause) return null;
  const late = now() - Date.parse(cause.due_at);
  return h(
    "p",
    { class: "cause", dataset: { deadline: cause.deadline || "" } },
    h("strong", {}, `${label(CAUSES, cause.kind)}: `),
    ruleName(cause.deadline),
    ` — fristen var ${dueText({ ...cause, purpose: "breach" })}`,
    late > 0 ? `, overskredet med ${span(late)}` : null,
    ". ",
    caseLink(task.case_id, "Se sagen " + (task.business_key || "")),
  );
}

/** The task's phase, or else the phase its case stands in. */
export function phaseOf(task) {
  return label(PHASES, task.phase || task.case_phase);
}

/** The rule a task's due date keeps; an escalation's is the rule that was missed. */
export function ruleOf(task) {
  return ruleName(task.deadline || (task.cause && task.cause.deadline));
}

/** The facts of a task as <dt>/<dd> pairs: case, phase, deadline, due, holder. */
export function taskFacts(task) {
  const entries = [
    ["Sag", caseOf(task)],
    ["Fase", phaseOf(task)],
    ["Frist", ruleOf(task)],
    ["Udløber", due(task, now())],
    ["Tildelt", task.assignee || "Ikke tildelt"],
  ];
  return entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]);
}

async function send(path, body, status, done) {
  try {
    await api(path, { method: "POST", body });
    done(true);
  } catch (error) {
    status(problemText(error));
    done(false);
  }
}

/**
 * The buttons for `task` as `session` may use them. `changed(text)` runs after a change with a
 * message to announce; `failed(text)` after a refusal.
 */
export function taskActions(task, session, { leader, changed, failed }) {
  const path = `/tasks/${encodeURIComponent(task.id)}`;
  const mine = task.assignee === session.user;
  const buttons = [];
  const button = (text, onClick, extra = {}) => {
    const element = h("button", { type: "button", class: "small secondary", ...extra }, text);
    element.addEventListener("click", onClick);
    buttons.push(element);
  };
  const after = (text) => (ok) => (ok ? changed(text) : null);
  if (!task.assignee) {
    button("Tag opgaven", () => send(`${path}/claim`, undefined, failed, after(`Du har taget „${task.name}“.`)), {
      dataset: { claim: task.id },
    });
  }
  if (task.assignee && (mine || leader)) {
    button("Læg tilbage", () => send(`${path}/unclaim`, undefined, failed, after(`„${task.name}“ er lagt tilbage.`)), {
      dataset: { unclaim: task.id },
    });
  }
  if (leader) buttons.push(assignForm(task, path, failed, changed));
  return h("div", { class: "actions" }, buttons);
}

/** A leader's "Tildel": a labelled field (colleagues suggested) and a button, keyboard-only friendly. */
function assignForm(task, path, failed, changed) {
  const id = `assign-${task.id}`;
  const input = h("input", {
    id,
    name: "user_id",
    list: "colleagues",
    required: true,
    maxlength: "200",
    autocomplete: "off",
    class: "assign-input",
  });
  const form = h(
    "form",
    { class: "assign", dataset: { assign: task.id } },
    h("label", { for: id, class: "visually-hidden" }, `Tildel „${task.name}“ til`),
    input,
    h("button", { type: "submit", class: "small secondary" }, "Tildel"),
  );
  input.placeholder = "Kollega";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const who = input.value.trim();
    if (!who) return;
    send(`${path}/claim`, { user_id: who }, failed, (ok) => (ok ? changed(`„${task.name}“ er tildelt ${who}.`) : null));
  });
  return form;
}

/** The colleagues a leader can assign to, as far as Sagsflow knows them (GET /reports/workload). */
export async function colleagueList() {
  const list = h("datalist", { id: "colleagues" });
  try {
    const workload = await api("/reports/workload");
    for (const person of workload.items) list.append(h("option", { value: person.user }));
  } catch {
    // no suggestions: the field still takes any user id
  }
  return list;
}
