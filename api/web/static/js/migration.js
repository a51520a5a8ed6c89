// "Flyt sager": a process owner moves running cases from one version of a process to another.
// Both versions are drawn side by side (bpmn-js), the plan is a table of the source version's
// activities with where each goes in the new version (generated for identical ids by
// POST /migrations/plan, editable here), "Kontrollér sagerne" asks POST /migrations/validate
// which cases can move and why the others cannot, and "Flyt sagerne" runs POST /migrations/execute.

import { api, ApiError, toLogin } from "./api.js";
import { byId, fill, h, message, table } from "./dom.js";
import { missingLibrary, problemText, startPage } from "./layout.js";

const BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const KINDS = {
  userTask: "Brugeropgave",
  serviceTask: "Ekstern opgave",
  scriptTask: "Script",
  businessRuleTask: "Beslutning",
  sendTask: "Send",
  receiveTask: "Modtag",
  manualTask: "Manuel opgave",
  task: "Opgave",
  callActivity: "Kaldt proces",
  subProcess: "Delproces",
  startEvent: "Start",
  endEvent: "Slut",
  intermediateCatchEvent: "Venter",
  intermediateThrowEvent: "Hændelse",
  boundaryEvent: "Grænsehændelse",
  exclusiveGateway: "Valg",
  parallelGateway: "Parallel",
  inclusiveGateway: "Inklusivt valg",
  eventBasedGateway: "Hændelsesvalg",
};
const EVENTS = { timerEventDefinition: "frist", messageEventDefinition: "besked", signalEventDefinition: "signal" };
const OUTCOMES = {
  migratable: "kan flyttes",
  migrated: "flyttet",
  refused: "afvist",
  "already migrated": "allerede flyttet",
  "not on the source version": "ikke på versionen",
};
const MARKS = ["sf-mapped", "sf-unmapped", "sf-new", "sf-refused"];

const state = { versions: [], source: null, target: null, viewers: {}, refusedAt: new Set() };

/** The flow elements of a BPMN file, in document order: {id, name, tag, event, kind, label}. */
function activitiesOf(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  const found = [];
  for (const element of doc.getElementsByTagNameNS(BPMN, "*")) {
    const tag = element.localName;
    if (!(tag in KINDS) || !element.getAttribute("id")) continue;
    const definition = [...element.children].find((c) => c.localName in EVENTS);
    const event = definition ? definition.localName : "";
    const id = element.getAttribute("id");
    const name = element.getAttribute("name") || id;
    const kind = `${KINDS[tag]}${event ? " (" + EVENTS[event] + ")" : ""}`;
    found.push({ id, name, tag, event, kind, label: `${name} · ${kind}` });
  }
  return found;
}

async function xmlOf(definitionId) {
  const response = await fetch(`/definitions/${encodeURIComponent(definitionId)}/xml`, {
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.status === 401) toLogin();
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}

async function allDefinitions() {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api("/definitions", { query: { limit: 500, offset } });
    items.push(...page.items);
    if (items.length >= page.total || !page.items.length) return items;
  }
}

function versionLabel(definition) {
  return `Version ${definition.version} ${definition.municipality ? "(kommunens egen)" : "(fælles)"}`;
}

function fillVersions(key, preferred = {}) {
  const versions = state.versions.filter((d) => d.key === key);
  const options = (chosen) =>
    versions.map((d) => h("option", { value: d.id, selected: d.id === chosen }, versionLabel(d)));
  const newest = versions[0] ? versions[0].id : null;
  const older = versions[1] ? versions[1].id : newest;
  fill(byId("source"), options(preferred.source || older));
  fill(byId("target"), options(preferred.target || newest));
}

function fillKeys(preferredKey) {
  const keys = [...new Set(state.versions.map((d) => d.key))].sort();
  const names = new Map(state.versions.map((d) => [d.key, d.name || d.key]));
  fill(
    byId("key"),
    keys.map((key) => h("option", { value: key, selected: key === preferredKey }, `${names.get(key)} (${key})`)),
  );
}

async function draw(container, xml, caption) {
  const canvasBox = h("div", { class: "diagram-canvas" });
  fill(container, h("figure", { class: "diagram" }, h("figcaption", {}, caption), canvasBox));
  const viewer = new window.BpmnJS({ container: canvasBox });
  await viewer.importXML(xml);
  viewer.get("canvas").zoom("fit-viewport", "auto");
  return viewer;
}

function mark(viewer, classes) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  for (const element of registry.getAll()) for (const name of MARKS) canvas.removeMarker(element.id, name);
  for (const [id, name] of classes) if (registry.get(id)) canvas.addMarker(id, name);
}

/** The plan as the table says: one instruction per source activity given a target. */
function currentPlan() {
  const instructions = [];
  for (const select of byId("plan").querySelectorAll("select[data-source]")) {
    if (!select.value) continue;
    const again = byId("plan").querySelector(`input[data-again="${CSS.escape(select.dataset.source)}"]`);
    instructions.push({
      source: select.dataset.source,
      target: select.value,
      update_event_trigger: Boolean(again && again.checked),
    });
  }
  return { source_definition_id: state.source.id, target_definition_id: state.target.id, instructions };
}

function showMarks() {
  const plan = currentPlan();
  const mapped = new Map(plan.instructions.map((i) => [i.source, i.target]));
  const sourceMarks = state.source.activities.map((a) => [
    a.id,
    state.refusedAt.has(a.id) ? "sf-refused" : mapped.has(a.id) ? "sf-mapped" : "sf-unmapped",
  ]);
  const targets = new Set(mapped.values());
  const targetMarks = state.target.activities.map((a) => [a.id, targets.has(a.id) ? "sf-mapped" : "sf-new"]);
  if (state.viewers.source) mark(state.viewers.source, sourceMarks);
  if (state.viewers.target) mark(state.viewers.target, targetMarks);
}

function planRow(activity, given) {
  const choices = state.target.activities.filter((t) => t.tag === activity.tag && t.event === activity.event);
  const select = h(
    "select",
    { dataset: { source: activity.id }, "aria-label": `${activity.name}: bliver til i den nye version` },
    h("option", { value: "" }, "— ingen plads —"),
    choices.map((t) => h("option", { value: t.id, selected: given.get(activity.id) === t.id }, t.label)),
  );
  select.addEventListener("change", planChanged);
  const again =
    activity.event === "timerEventDefinition"
      ? h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", dataset: { again: activity.id }, onchange: planChanged }),
          " Beregn fristen igen",
        )
      : "";
  return [h("span", {}, activity.name, " ", h("code", {}, activity.id)), activity.kind, select, again];
}

function showPlan(plan) {
  const given = new Map(plan.instructions.map((i) => [i.source, i.target]));
  const rows = state.source.activities.map((a) => planRow(a, given));
  fill(
    byId("plan"),
    table(["Aktivitet i den gamle version", "Slags", "Bliver til i den nye version", "Frist"], rows, {
      caption: `${state.source.activities.length} aktiviteter, ${given.size} sat på forhånd`,
    }),
  );
}

function planChanged() {
  byId("execute").disabled = true;
  state.refusedAt = new Set();
  fill(byId("result"), h("p", { class: "empty" }, "Planen er ændret: kontrollér sagerne igen."));
  showMarks();
}

async function open(sourceId, targetId) {
  const body = byId("migration-body");
  fill(byId("migration-message"));
  const definition = (id) => state.versions.find((d) => d.id === id);
  if (sourceId === targetId) {
    fill(byId("migration-message"), message("error", "Vælg to forskellige versioner."));
    return;
  }
  const [plan, sourceXml, targetXml] = await Promise.all([
    api("/migrations/plan", {
      method: "POST",
      body: { source_definition_id: sourceId, target_definition_id: targetId },
    }),
    xmlOf(sourceId),
    xmlOf(targetId),
  ]);
  state.source = { id: sourceId, activities: activitiesOf(sourceXml) };
  state.target = { id: targetId, activities: activitiesOf(targetXml) };
  state.refusedAt = new Set();
  body.hidden = false;
  history.replaceState(null, "", `/ui/migration?from=${encodeURIComponent(sourceId)}&to=${encodeURIComponent(targetId)}`);
  showPlan(plan);
  byId("execute").disabled = true;
  fill(byId("result"), h("p", { class: "empty" }, "Kontrollér planen for at se, hvilke sager der kan flyttes."));
  if (!window.BpmnJS) {
    fill(byId("source-diagram"), missingLibrary("Diagrammerne"));
  } else {
    state.viewers.source = await draw(byId("source-diagram"), sourceXml, `Fra: ${versionLabel(definition(sourceId))}`);
    state.viewers.target = await draw(byId("target-diagram"), targetXml, `Til: ${versionLabel(definition(targetId))}`);
  }
  showMarks();
  body.dataset.rendered = "true";
}

function counts(report) {
  const parts = Object.entries(report.counts).map(([outcome, n]) =>
    h("span", { dataset: { outcome } }, h("strong", {}, String(n)), ` ${OUTCOMES[outcome] || outcome}`),
  );
  return h("p", { class: "counts" }, parts.length ? parts : "Ingen igangværende sager på den gamle version.");
}

function refusals(report) {
  const name = new Map(state.source.activities.map((a) => [a.id, a.name]));
  const rows = [];
  for (const item of report.instances.filter((i) => i.outcome === "refused")) {
    for (const problem of item.problems) {
      rows.push([
        h("a", { href: `/ui/case?id=${encodeURIComponent(item.case_id)}`, class: "case-link" }, item.case_id.slice(0, 8)),
        problem.element_id ? name.get(problem.element_id) || problem.element_id : "–",
        problem.message_da || problem.message,
      ]);
    }
  }
  return table(["Sag", "Aktivitet", "Hvorfor den ikke kan flyttes"], rows, {
    caption: "Sager, der ikke kan flyttes (de forbliver uændrede)",
    empty: "Ingen sager afvises.",
  });
}

function planFailures(report) {
  return report.plan_failures.map((f) =>
    message("error", `${f.source} → ${f.target}: `, f.failures.join(" ")),
  );
}

function showReport(report, done) {
  state.refusedAt = new Set(
    report.instances.flatMap((i) => (i.outcome === "refused" ? i.problems.map((p) => p.element_id) : [])),
  );
  const result = byId("result");
  fill(
    result,
    done ? message("success", `Flytningen er gennemført (${report.cases_per_second} sager/s).`) : null,
    planFailures(report),
    counts(report),
    refusals(report),
  );
  result.dataset.state = done ? "executed" : "validated";
  showMarks();
}

async function validate() {
  const button = byId("validate");
  button.disabled = true;
  try {
    const report = await api("/migrations/validate", { method: "POST", body: { plan: currentPlan() } });
    showReport(report, false);
    byId("execute").disabled = !(report.counts.migratable > 0) || report.plan_failures.length > 0;
  } catch (error) {
    fill(byId("result"), message("error", problemText(error)));
  } finally {
    button.disabled = false;
  }
}

async function execute() {
  const button = byId("execute");
  button.disabled = true;
  try {
    showReport(await api("/migrations/execute", { method: "POST", body: { plan: currentPlan() } }), true);
  } catch (error) {
    fill(byId("result"), message("error", problemText(error)));
  }
}

async function load() {
  const params = new URLSearchParams(location.search);
  try {
    state.versions = await allDefinitions();
  } catch (error) {
    fill(byId("migration-message"), message("error", problemText(error)));
    return;
  }
  const from = state.versions.find((d) => d.id === params.get("from"));
  const key = from ? from.key : state.versions.length ? state.versions[0].key : "";
  fillKeys(key);
  fillVersions(key, { source: params.get("from"), target: params.get("to") });
  byId("key").addEventListener("change", (event) => fillVersions(event.target.value));
  byId("choose").addEventListener("submit", (event) => {
    event.preventDefault();
    open(byId("source").value, byId("target").value).catch((error) =>
      fill(byId("migration-message"), message("error", problemText(error))),
    );
  });
  byId("validate").addEventListener("click", validate);
  byId("execute").addEventListener("click", execute);
  if (from && params.get("to")) {
    await open(params.get("from"), params.get("to")).catch((error) =>
      fill(byId("migration-message"), message("error", problemText(error))),
    );
  }
  document.body.dataset.loaded = "true";
}

startPage("migration").then(load, () => null);
