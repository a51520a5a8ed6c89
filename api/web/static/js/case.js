// One case: GET /cases/{id} and GET /cases/{id}/diagram. People read labels (the diagram's names,
// Danish names for phases and rules); ids are only in the "Tekniske detaljer" disclosure.

import { api } from "./api.js";
import { now } from "./clock.js";
import { byId, caseLink, dateTime, day, due, dueText, fill, h, message, param, table, variableEntries } from "./dom.js";
import { CASE_STATUS, EVENTS, OUTCOMES, PHASES, label } from "./labels.js";
import { elementNames, showDiagrams } from "./diagram.js";
import { problemText, startPage } from "./layout.js";
import { causeNote, phaseOf, ruleName, ruleOf } from "./tasks.js";
import { showTimeline } from "./timeline.js";

function current(kase, nameOf) {
  const names = kase.activities.length
    ? kase.activities.map((a) => a.name || nameOf(a.id))
    : kase.current_activities.map(nameOf);
  return names.length ? names.join(", ") : "–";
}

function facts(kase, nameOf) {
  const entries = [
    ["Status", label(CASE_STATUS, kase.status)],
    ["Fase", label(PHASES, kase.phase)],
    ["Står ved", current(kase, nameOf)],
    ["Team", kase.team || "–"],
    ["Rådgiver", kase.caseworker || "–"],
    ["Startet", dateTime(kase.started_at)],
    ["Afsluttet", dateTime(kase.ended_at)],
    ["Næste frist", due({ due_at: kase.next_due_at, due_date: kase.next_due_date, due_kind: kase.next_due_kind }, now())],
    ["Proces", kase.process_name || "–"],
  ];
  return entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]);
}

function ids(kase) {
  const entries = [
    ["Sagens id", kase.id],
    ["Procesnøgle", kase.process_key],
    ["Procesdefinition", kase.definition_id],
    ["Aktuelle element-id'er", kase.current_activities.join(", ") || "–"],
  ];
  return entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, h("code", {}, value))]);
}

function openTasks(kase, nameOf) {
  const open = kase.tasks.filter((t) => t.state === "open");
  return table(
    ["Opgave", "Fase", "Frist", "Udløber", "Tildelt", ""],
    open.map((t) => [
      [t.name || nameOf(t.element_id), causeNote({ ...t, case_id: kase.id, business_key: kase.business_key })],
      phaseOf({ ...t, case_phase: kase.phase }),
      ruleOf(t),
      due(t, now()),
      t.assignee || "Ikke tildelt",
      h("a", { href: "/ui/tasks?task=" + encodeURIComponent(t.id) }, "Åbn opgaven"),
    ]),
    { empty: "Ingen åbne opgaver." },
  );
}

/** A deadline corrected to its last-day meaning (engine/corrections.py). */
function correction(data) {
  const parts = [];
  if (data.due_date) parts.push("sidste dag " + day(data.due_date));
  if (data.outcome) parts.push(`${label(OUTCOMES, data.outcome_before)} → ${label(OUTCOMES, data.outcome)}`);
  return parts.join("; ") || "–";
}

function eventDetail(event) {
  const data = event.data || {};
  if (event.kind === "phase_changed") return `${label(PHASES, data.from)} → ${label(PHASES, data.to)}`;
  if (event.kind === "deadline_breached" || event.kind === "deadline_reminder") return ruleName(data.deadline);
  if (event.kind === "timer_scheduled" || event.kind === "task_created") return data.due_at ? "Frist " + dueText(data) : "–";
  if (event.kind === "timer_cancelled" && data.outcome) return label(OUTCOMES, data.outcome);
  if (event.kind === "deadline_corrected") return correction(data);
  if (event.kind === "task_assigned") return data.to ? `Til ${data.to}` : "Lagt tilbage";
  return "–";
}

function history(kase, nameOf) {
  const events = [...(kase.history || [])].reverse();
  return table(
    ["Tidspunkt", "Hændelse", "Hvor", "Detaljer", "Af"],
    events.map((e) => [dateTime(e.at), label(EVENTS, e.kind), e.element_id ? nameOf(e.element_id) : "–", eventDetail(e), e.actor]),
    { empty: "Ingen hændelser." },
  );
}

function missing(error) {
  document.title = "Sag ikke fundet · Sagsflow";
  fill(byId("case-title"), "Sagen blev ikke fundet");
  fill(
    byId("case-message"),
    message("error", problemText(error)),
    h("p", {}, h("a", { href: "/ui/cases" }, "Gå til listen over sager")),
  );
  document.body.dataset.loaded = "missing";
}

async function load(caseId) {
  let kase;
  let diagrams = [];
  let diagramError = null;
  try {
    [kase, diagrams] = await Promise.all([
      api(`/cases/${encodeURIComponent(caseId)}`),
      api(`/cases/${encodeURIComponent(caseId)}/diagram`).catch((error) => {
        diagramError = error;
        return [];
      }),
    ]);
  } catch (error) {
    missing(error);
    return;
  }
  const nameOf = elementNames(diagrams);
  document.title = `Sag ${kase.business_key || ""} · Sagsflow`;
  fill(byId("case-title"), "Sag ", kase.business_key || caseLink(kase.id, "uden nummer"));
  byId("case-body").hidden = false;
  fill(byId("case-facts"), facts(kase, nameOf));
  showTimeline(byId("timeline"), kase, nameOf, now());
  fill(byId("open-tasks"), openTasks(kase, nameOf));
  fill(byId("history"), history(kase, nameOf));
  fill(byId("variables"), variableEntries(kase.variables));
  fill(byId("case-ids"), ids(kase));
  if (diagramError) fill(byId("diagrams"), message("error", problemText(diagramError)));
  else await showDiagrams(byId("diagrams"), diagrams);
  document.body.dataset.loaded = "true";
}

startPage("cases").then(() => {
  const caseId = param("id");
  if (caseId) load(caseId);
  else missing(new Error("siden mangler sagens id"));
}, () => null);
