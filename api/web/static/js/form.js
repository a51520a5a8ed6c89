// A user task's form, rendered from its fields (GET /tasks/{id} -> form), and its completion
// (POST /tasks/{id}/complete). A refused completion shows the problem's detail and, next to each
// field it names, what is wrong with it.

import { api, ApiError } from "./api.js";
import { fill, h } from "./dom.js";
import { problemText } from "./layout.js";

const MESSAGES = {
  "is required": "skal udfyldes",
  "not a field of this task's form": "er ikke et felt i formularen",
  "must be true or false": "skal være ja eller nej",
  "must be an integer": "skal være et helt tal",
  "must be a date (YYYY-MM-DD) or an ISO instant": "skal være en dato",
};

function danish(text) {
  return MESSAGES[text] || text;
}

function choice(value, text, selected) {
  return h("option", { value, selected: selected || null }, text);
}

/** The input element for one field, named after the field's id. */
function input(field) {
  const common = { id: "field-" + field.id, name: field.id, required: field.required || null };
  const initial = field.default ?? "";
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
    const day = /^\d{4}-\d{2}-\d{2}/.test(initial) ? initial.slice(0, 10) : "";
    return h("input", { ...common, type: "date", value: day });
  }
  if (field.type === "string") {
    const area = h("textarea", { ...common, rows: "2" });
    area.value = initial;
    return area;
  }
  return h("input", { ...common, type: "text", value: initial });
}

/** The submitted value of a field, or undefined when it was left empty. */
function valueOf(field, element) {
  const raw = element.value;
  if (raw === undefined || raw.trim() === "") return undefined;
  if (field.type === "boolean") return raw === "true";
  if (field.type === "long") return Number(raw);
  return raw;
}

function showRefusal(form, fieldsById, error) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const old of form.querySelectorAll("[aria-invalid]")) old.removeAttribute("aria-invalid");
  const problems = (error instanceof ApiError && error.problem.errors) || [];
  const general = [];
  let atFields = 0;
  for (const problem of problems) {
    const box = fieldsById.get(problem.name);
    if (!box) {
      general.push(h("li", {}, danish(problem.message)));
      continue;
    }
    atFields += 1;
    box.querySelector("[name]").setAttribute("aria-invalid", "true");
    box.append(h("p", { class: "field-error", id: `error-${problem.name}` }, danish(problem.message)));
  }
  const status = error instanceof ApiError ? ` (${error.status})` : "";
  fill(
    form.querySelector(".form-problem"),
    h(
      "div",
      { class: "message message-error", role: "alert" },
      h("strong", {}, `Opgaven blev ikke afsluttet${status}.`),
      problems.length ? null : h("p", {}, problemText(error)),
      general.length ? h("ul", { class: "problem-list" }, general) : null,
      atFields ? h("p", {}, "Ret felterne, der er markeret nedenfor.") : null,
    ),
  );
}

/** The form of `task`; `onDone(task, kase)` runs after a successful completion. */
export function taskForm(task, onDone) {
  const fields = task.form || [];
  const fieldsById = new Map();
  const boxes = fields.map((field) => {
    const element = input(field);
    const box = h(
      "div",
      { class: "field", dataset: { field: field.id } },
      h("label", { for: element.id }, field.label || field.id, field.required ? h("span", { class: "required", title: "Skal udfyldes" }, " *") : null),
      element,
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
