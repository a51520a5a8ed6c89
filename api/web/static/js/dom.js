// Building the DOM from elements and text nodes: every value goes in as text, never as markup.

/**
 * h("a", {href: "/ui/case?id=1", class: "x"}, "text", child) -> element.
 * Strings and numbers become text nodes; null/undefined/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replace the children of `element`. */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found;
}

/** A message box: kind is "info", "error" or "success". */
export function message(kind, ...text) {
  return h("p", { class: `message message-${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

/** A table from column headings and rows of cells (strings, numbers or nodes); the columns in
 * `numeric` (indexes) are right-aligned and never wrap. */
export function table(headings, rows, { empty = "Ingen.", caption, numeric = [] } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  const cls = (i) => (numeric.includes(i) ? "num" : null);
  return h(
    "table",
    {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headings.map((text, i) => h("th", { scope: "col", class: cls(i) }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) => h("td", { class: cls(i) }, cell ?? "–"))))),
  );
}

// Dates and numbers are written the Danish way in Copenhagen time, whatever the browser's language
// or zone (the formats name "da-DK" and the zone explicitly).
const ZONE = "Europe/Copenhagen";
const DATE = new Intl.DateTimeFormat("da-DK", { timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric" });
const DATE_TIME = new Intl.DateTimeFormat("da-DK", {
  timeZone: ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const NUMBER = new Intl.NumberFormat("da-DK", { maximumFractionDigits: 1 });
const PERCENT = new Intl.NumberFormat("da-DK", { style: "percent", maximumFractionDigits: 0 });
const DAY_MS = 86_400_000;

export function date(value) {
  return value ? DATE.format(new Date(value)) : "–";
}

const OFFSET = new Intl.DateTimeFormat("en-US", { timeZone: ZONE, timeZoneName: "longOffset" });

/** Midnight at the start of the Copenhagen day `isoDay` (YYYY-MM-DD) + `plusDays`, as an ISO
 * instant with its offset: the same instant whatever the browser's own time zone. */
export function copenhagenMidnight(isoDay, plusDays = 0) {
  const [year, month, dayOfMonth] = isoDay.split("-").map(Number);
  const noon = new Date(Date.UTC(year, month - 1, dayOfMonth + plusDays, 12));
  const name = OFFSET.formatToParts(noon).find((p) => p.type === "timeZoneName").value; // "GMT+02:00"
  const offset = name === "GMT" ? "+00:00" : name.slice(3);
  return `${noon.toISOString().slice(0, 10)}T00:00:00${offset}`;
}

const WEEKDAY = new Intl.DateTimeFormat("da-DK", { timeZone: "UTC", weekday: "long" });

/** A day ("2026-12-10", as the API writes it) as "torsdag 10.12.2026". */
export function day(isoDate) {
  if (!isoDate) return "–";
  const [year, month, dayOfMonth] = isoDate.split("-");
  const weekday = WEEKDAY.format(new Date(Date.UTC(Number(year), Number(month) - 1, Number(dayOfMonth))));
  return `${weekday} ${dayOfMonth}.${month}.${year}`;
}

/** A calendar day written as YYYY-MM-DD (no time, no zone) as a Danish date, "10.12.2026". */
export function danishDate(value) {
  if (!value) return "–";
  const [year, month, dayOfMonth] = String(value).slice(0, 10).split("-");
  return `${dayOfMonth}.${month}.${year}`;
}

export function dateTime(value) {
  return value ? DATE_TIME.format(new Date(value)) : "–";
}

export function number(value) {
  return value === null || value === undefined ? "–" : NUMBER.format(value);
}

export function percent(share) {
  return share === null || share === undefined ? "–" : PERCENT.format(share);
}

export function days(value) {
  if (value === null || value === undefined) return "–";
  return `${NUMBER.format(value)} ${value === 1 ? "dag" : "dage"}`;
}

/** How long `ms` milliseconds is, in words: "3 dage", "5 timer", "20 minutter". */
export function span(ms) {
  const abs = Math.abs(ms);
  if (abs >= DAY_MS) {
    const n = Math.floor(abs / DAY_MS);
    return `${NUMBER.format(n)} ${n === 1 ? "dag" : "dage"}`;
  }
  if (abs >= 3_600_000) {
    const n = Math.floor(abs / 3_600_000);
    return `${NUMBER.format(n)} ${n === 1 ? "time" : "timer"}`;
  }
  const n = Math.max(1, Math.floor(abs / 60_000));
  return `${NUMBER.format(n)} ${n === 1 ? "minut" : "minutter"}`;
}

/** When `value` falls due seen from `nowMs`: "om 3 dage" or "overskredet med 2 dage". */
export function relative(value, nowMs) {
  if (!value) return "";
  const left = Date.parse(value) - nowMs;
  return left >= 0 ? `om ${span(left)}` : `overskredet med ${span(left)}`;
}

/**
 * A due date as a caseworker reads it, from an object with due_at, due_date and due_kind (a task,
 * a deadline, a report row): a calendar deadline is met any time on its last day, so it is shown
 * as that day ("senest torsdag 10.12.2026"), never as 00.00 of the next; a reminder as its day;
 * an elapsed deadline (24 hours) as its instant.
 */
export function dueText(item) {
  if (!item || !item.due_at) return "–";
  if (item.due_kind === "calendar" && item.due_date) {
    return item.purpose && item.purpose !== "breach" ? day(item.due_date) : "senest " + day(item.due_date);
  }
  return dateTime(item.due_at);
}

/** A due date (see dueText) with how far off it is by `nowMs` (the service's clock: clock.js),
 * marked when its due instant has passed: "senest torsdag 10.12.2026 (om 8 dage)". */
export function due(item, nowMs = Date.now()) {
  if (!item || !item.due_at) return "–";
  const passed = Date.parse(item.due_at) <= nowMs;
  return h(
    "span",
    { class: passed ? "due passed" : "due" },
    h("time", { datetime: item.due_date || item.due_at }, dueText(item)),
    h("span", { class: "relative" }, " (", relative(item.due_at, nowMs), ")"),
  );
}

/** The page's query parameter `name`, or null. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/** A link to one case's page. */
export function caseLink(caseId, text) {
  return h("a", { href: "/ui/case?id=" + encodeURIComponent(caseId), class: "case-link" }, text || caseId);
}

/** A disclosure that holds what only the curious need (element ids, raw codes). */
export function details(summary, ...content) {
  return h("details", { class: "ids-details" }, h("summary", {}, summary), ...content);
}

/** Case variables as <dt>/<dd> pairs, by name (objects and lists as JSON). */
export function variableEntries(values) {
  const shown = (value) => (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));
  return Object.entries(values || {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, value]) => [h("dt", {}, h("code", {}, name)), h("dd", {}, shown(value))]);
}

/** Set the fields of a GET filter form from this page's query string. */
export function fillFromQuery(form) {
  for (const [name, value] of new URLSearchParams(location.search)) {
    const field = form.elements.namedItem(name);
    if (!field) continue;
    if (field.type === "checkbox") field.checked = value === field.value;
    else field.value = value;
  }
}
