// A user task's form, rendered from its fields (GET /tasks/{id} -> form), and its completion
// (POST /tasks/{id}/complete). A refused completion shows the problem's detail and, next to each
// field it names, what is wrong with it.

import { api, ApiError } from "./api.js";
import { danishDate, fill, h } from "./dom.js";
import { problemText } from "./layout.js";

// The server says each problem in Danish (`message_da`); older answers and request-level problems
// only in English, so a few common ones are translated here.
const MESSAGES = {
  "is required": "Skal udfyldes.",
  "not a field of this task's form": "Er ikke et felt i opgavens formular.",
  "must be true or false": "Vælg ja eller nej.",
  "must be an integer": "Skal være et helt tal.",
  "must be a date (YYYY-MM-DD) or an ISO instant": "Skal være en dato.",
};

function danish(problem) {
  return problem.message_da || MESSAGES[problem.message] || problem.message;
}

function choice(value, text, selected) {
  return h("option", { value, selected: selected || null }, text);
}

/** The input element for one field, named after the field's id. */
function input(field) {
  const common = { id: "field-" + field.id, name: field.id, required: field.required || null };
  const initial = field.default === null || field.default === undefined ? "" : String(field.default);
  if (field.type === "boolean") {
    return h(
      "select",
      common,
      choice("", "– vælg –", initial === ""),
      choice("true", "Ja", initial === "true"),
      choice("false", "Nej", initial === "false"),
    );
  }
  if (field.type === "enum") {
    return h(
      "select",
      common,
      choice("", "– vælg –", !initial),
      field.options.map((o) => choice(o.id, o.name || o.id, o.id === initial)),
    );
  }
  if (field.type === "long") return h("input", { ...common, type: "number", step: "1", value: initial });
  if (field.type === "date") {
    // A Danish date as text, not the browser's date input: that one writes dates the way the
    // browser's language does (mm/dd/yyyy in an English browser).
    const shown = /^\d{4}-\d{2}-\d{2}/.test(initial) ? danishDate(initial) : "";
    return h("input", {
      ...common,
      type: "text",
      inputmode: "numeric",
      autocomplete: "off",
      placeholder: "dd.mm.åååå",
      class: "date-input",
      value: shown,
      "aria-describedby": "hint-" + field.id,
      dataset: { describedby: "hint-" + field.id },
    });
  }
  if (field.type === "string") {
    const area = h("textarea", { ...common, rows: "2" });
    area.value = initial;
    return area;
  }
  return h("input", { ...common, type: "text", value: initial });
}

const DANISH_DATE = /^(\d{1,2})[.\-/ ](\d{1,2})[.\-/ ](\d{4})$/;

/** "19.11.2027" (or 19-11-2027, 19/11/2027) as "2027-11-19"; anything else as written, so that
 * the server refuses it beside the field in its own words. */
function isoDate(text) {
  const found = DANISH_DATE.exec(text.trim());
  if (!found) return text.trim();
  const [, d, m, y] = found;
  const iso = `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
  const check = new Date(iso + "T12:00:00Z");
  return !Number.isNaN(check.getTime()) && check.toISOString().slice(0, 10) === iso ? iso : text.trim();
}

/** The submitted value of a field, or undefined when it was left empty. */
function valueOf(field, element) {
  const raw = element.value;
  if (raw === undefined || raw.trim() === "") return undefined;
  if (field.type === "boolean") return raw === "true";
  if (field.type === "long") return Number(raw);
  if (field.type === "date") return isoDate(raw);
  return raw;
}

function showRefusal(form, fieldsById, error) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const old of form.querySelectorAll("[aria-invalid]")) {
    old.removeAttribute("aria-invalid");
    if (old.dataset.describedby) old.setAttribute("aria-describedby", old.dataset.describedby);
    else old.removeAttribute("aria-describedby");
  }
  const problems = (error instanceof ApiError && error.problem.errors) || [];
  const general = [];
  const listed = [];
  let first = null;
  for (const problem of problems) {
    const box = fieldsById.get(problem.name);
    if (!box) {
      general.push(h("li", {}, danish(problem)));
      continue;
    }
    const input = box.querySelector("[name]");
    const id = `error-${problem.name}-${listed.length}`;
    input.setAttribute("aria-invalid", "true");
    const described = [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", described);
    box.append(h("p", { class: "field-error", id }, danish(problem)));
    listed.push(h("li", {}, h("a", { href: "#" + input.id }, box.dataset.label), ": ", danish(problem)));
    first = first || input;
  }
  const status = error instanceof ApiError ? ` (${error.status})` : "";
  const summary = h(
    "div",
    { class: "message message-error", role: "alert", tabindex: "-1" },
    h("strong", {}, `Opgaven blev ikke afsluttet${status}.`),
    problems.length ? null : h("p", {}, problemText(error)),
    general.length ? h("ul", { class: "problem-list" }, general) : null,
    listed.length ? h("p", {}, "Ret felterne, der er markeret nedenfor:") : null,
    listed.length ? h("ul", { class: "problem-list" }, listed) : null,
  );
  fill(form.querySelector(".form-problem"), summary);
  (first || summary).focus();
}

/** The form of `task`; `onDone(task, kase)` runs after a successful completion. */
export function taskForm(task, onDone) {
  const fields = task.form || [];
  const fieldsById = new Map();
  const boxes = fields.map((field) => {
    const element = input(field);
    const box = h(
      "div",
      { class: "field", dataset: { field: field.id, label: field.label || field.id } },
      h("label", { for: element.id }, field.label || field.id, field.required ? h("span", { class: "required", title: "Skal udfyldes" }, " *") : null),
      element,
      field.type === "date" ? h("p", { class: "hint field-hint", id: "hint-" + field.id }, "Skriv datoen som dd.mm.åååå, fx 19.11.2027.") : null,
    );
    fieldsById.set(field.id, box);
    return box;
  });
  const submit = h("button", { type: "submit" }, "Afslut opgaven");
  const form = h(
    "form",
    { class: "task-form", id: "task-form" },
    h("div", { class: "form-problem", "aria-live": "polite" }),
    boxes.length ? boxes : h("p", { class: "hint" }, "Opgaven har ingen felter."),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const variables = {};
    for (const field of fields) {
      const value = valueOf(field, form.elements.namedItem(field.id));
      if (value !== undefined) variables[field.id] = value;
    }
    submit.disabled = true;
    try {
      const kase = await api(`/tasks/${encodeURIComponent(task.id)}/complete`, { method: "POST", body: { variables } });
      onDone(task, kase);
    } catch (error) {
      showRefusal(form, fieldsById, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
