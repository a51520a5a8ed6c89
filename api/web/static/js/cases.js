// The case list: GET /cases with the filters in this page's query string.

import { api } from "./api.js";
import { now } from "./clock.js";
import { byId, caseLink, copenhagenMidnight, date, due, fill, fillFromQuery, h, table } from "./dom.js";
import { CASE_STATUS, PHASES, label } from "./labels.js";
import { showProblem, startPage } from "./layout.js";

const PAGE_SIZE = 25;
const TEXT_FILTERS = ["status", "phase", "business_key", "team", "caseworker", "activity"];

function fillFilters() {
  const phase = byId("phase-filter");
  for (const [code, name] of Object.entries(PHASES)) phase.append(h("option", { value: code }, name));
  fillFromQuery(byId("filters"));
}

function query(params) {
  const found = {};
  for (const name of TEXT_FILTERS) found[name] = params.get(name) || undefined;
  if (params.get("from")) found.started_after = copenhagenMidnight(params.get("from"));
  if (params.get("to")) found.started_before = copenhagenMidnight(params.get("to"), 1);
  found.offset = Math.max(0, Number.parseInt(params.get("offset") || "0", 10) || 0);
  found.limit = PAGE_SIZE;
  return found;
}

function row(c) {
  return [
    caseLink(c.id, c.business_key || c.id),
    label(CASE_STATUS, c.status),
    label(PHASES, c.phase),
    activityNames(c),
    c.team || "–",
    c.caseworker || "–",
    date(c.started_at),
    due({ due_at: c.next_due_at, due_date: c.next_due_date, due_kind: c.next_due_kind }, now()),
  ];
}

function activityNames(c) {
  const names = c.activities.length ? c.activities.map((a) => a.name || a.id) : c.current_activities;
  return names.length ? names.join(", ") : "–";
}

function pager(params, page) {
  const link = (offset, text) => {
    const next = new URLSearchParams(params);
    next.set("offset", String(offset));
    return h("a", { href: "/ui/cases?" + next.toString(), class: "button secondary" }, text);
  };
  const last = Math.min(page.offset + page.items.length, page.total);
  fill(
    byId("pager"),
    page.offset > 0 ? link(Math.max(0, page.offset - PAGE_SIZE), "← Forrige") : null,
    h("span", {}, page.total ? `Sag ${page.offset + 1}–${last} af ${page.total}` : ""),
    last < page.total ? link(page.offset + PAGE_SIZE, "Næste →") : null,
  );
}

async function load() {
  const params = new URLSearchParams(location.search);
  fillFilters();
  try {
    const page = await api("/cases", { query: query(params) });
    fill(
      byId("cases-table"),
      table(
        ["Sagsnummer", "Status", "Fase", "Aktuelle aktiviteter", "Team", "Rådgiver", "Startet", "Næste frist"],
        page.items.map(row),
        { empty: "Ingen sager matcher filtrene." },
      ),
    );
    pager(params, page);
    document.body.dataset.loaded = "true";
  } catch (error) {
    showProblem(byId("cases-message"), error);
  }
}

startPage("cases").then(load, () => null);
