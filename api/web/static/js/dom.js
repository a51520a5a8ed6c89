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

/** A table from column headings and rows of cells (strings, numbers or nodes). */
export function table(headings, rows, { empty = "Ingen.", caption } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h(
    "table",
    {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headings.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell ?? "–"))))),
  );
}

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

export function date(value) {
  return value ? DATE.format(new Date(value)) : "–";
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

const WEEKDAY = new Intl.DateTimeFormat("da-DK", { timeZone: "UTC", weekday: "long" });

/** A day ("2026-12-10", as the API writes it) as "torsdag 10.12.2026". */
export function day(isoDate) {
  if (!isoDate) return "–";
  const [year, month, dayOfMonth] = isoDate.split("-");
  const weekday = WEEKDAY.format(new Date(Date.UTC(Number(year), Number(month) - 1, Number(dayOfMonth))));
  return `${weekday} ${dayOfMonth}.${month}.${year}`;
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

/** A due date (see dueText), marked as passed when its due instant lies before now. */
export function due(item) {
  if (!item || !item.due_at) return "–";
  const passed = Date.parse(item.due_at) <= Date.now();
  return h("span", { class: passed ? "due passed" : "due", title: passed ? "Fristen er passeret" : null }, dueText(item));
}

/** The page's query parameter `name`, or null. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/** A link to one case's page. */
export function caseLink(caseId, text) {
  return h("a", { href: "/ui/case?id=" + encodeURIComponent(caseId), class: "case-link" }, text || caseId);
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
