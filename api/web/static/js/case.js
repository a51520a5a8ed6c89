// One case: GET /cases/{id} and GET /cases/{id}/diagram.

import { api } from "./api.js";
import { byId, dateTime, due, dueText, fill, h, message, param, table, variableEntries } from "./dom.js";
import { CASE_STATUS, EVENTS, PHASES, label } from "./labels.js";
import { elementNames, showDiagrams } from "./diagram.js";
import { showProblem, startPage } from "./layout.js";
import { showTimeline } from "./timeline.js";

function facts(kase) {
  const entries = [
    ["Status", label(CASE_STATUS, kase.status)],
    ["Fase", label(PHASES, kase.phase)],
    ["Team", kase.team || "–"],
    ["Rådgiver", kase.caseworker || "–"],
    ["Startet", dateTime(kase.started_at)],
    ["Afsluttet", dateTime(kase.ended_at)],
    ["Næste frist", dueText({ due_at: kase.next_due_at, due_date: kase.next_due_date, due_kind: kase.next_due_kind })],
    ["Proces", `${kase.process_key} (${kase.definition_id.split(":").slice(0, 2).join(" v")})`],
  ];
  return entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]);
}

function openTasks(kase, nameOf) {
  const open = kase.tasks.filter((t) => t.state === "open");
  return table(
    ["Opgave", "Fase", "Tildelt", "Frist", ""],
    open.map((t) => [
      t.name || nameOf(t.element_id),
      label(PHASES, t.phase),
      t.assignee || "Ikke tildelt",
      due(t),
      h("a", { href: "/ui/tasks?task=" + encodeURIComponent(t.id) }, "Åbn opgaven"),
    ]),
    { empty: "Ingen åbne opgaver." },
  );
}

function eventDetail(event) {
  const data = event.data || {};
  if (event.kind === "phase_changed") return `${label(PHASES, data.from)} → ${label(PHASES, data.to)}`;
  if (event.kind === "timer_scheduled" || event.kind === "task_created") return data.due_at ? "Frist " + dueText(data) : "–";
  return "–";
}

function history(kase, nameOf) {
  const events = [...(kase.history || [])].reverse();
  return table(
    ["Tidspunkt", "Hændelse", "Element", "Detaljer", "Af"],
    events.map((e) => [dateTime(e.at), label(EVENTS, e.kind), e.element_id ? nameOf(e.element_id) : "–", eventDetail(e), e.actor]),
    { empty: "Ingen hændelser." },
  );
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
    showProblem(byId("case-message"), error);
    return;
  }
  const nameOf = elementNames(diagrams);
  document.title = `Sag ${kase.business_key || kase.id} · Sagsflow`;
  fill(byId("case-title"), "Sag ", kase.business_key || kase.id);
  fill(byId("case-facts"), facts(kase));
  showTimeline(byId("timeline"), kase, nameOf);
  fill(byId("open-tasks"), openTasks(kase, nameOf));
  fill(byId("history"), history(kase, nameOf));
  fill(byId("variables"), variableEntries(kase.variables));
  if (diagramError) showProblem(byId("diagrams"), diagramError);
  else await showDiagrams(byId("diagrams"), diagrams);
  document.body.dataset.loaded = "true";
}

if (startPage("cases")) {
  const caseId = param("id");
  if (caseId) load(caseId);
  else fill(byId("case-message"), message("error", "Siden mangler sagens id. Vælg en sag på listen."));
}
