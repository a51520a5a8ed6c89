// The case's deadline timeline: its timers on a track from the case's start, and as a list.

import { dateTime, day, dueText, fill, h, table } from "./dom.js";
import { DEADLINES, label } from "./labels.js";

// A deadline (breach) ends as exactly one of met, breached or cancelled (its `outcome`).
const OUTCOMES = {
  met: ["Overholdt", "ok"],
  breached: ["Overskredet", "late"],
  cancelled: ["Bortfaldet (gælder ikke længere)", "muted"],
};

const STATES = {
  breach: { pending: ["Løber", "pending"], fired: ["Overskredet", "late"], cancelled: ["Afsluttet", "muted"] },
  reminder: { pending: ["Planlagt påmindelse", "pending"], fired: ["Påmindelse sendt", "warn"], cancelled: ["Bortfaldet", "muted"] },
  other: { pending: ["Venter", "pending"], fired: ["Udløst", "warn"], cancelled: ["Annulleret", "muted"] },
};

/** purpose ("breach", "reminder") and rule of each timer element, from its timer_scheduled events. */
function purposes(history) {
  const found = new Map();
  for (const event of history) {
    if (event.kind === "timer_scheduled" && event.element_id) found.set(event.element_id, event.data || {});
  }
  return found;
}

function state(timer, purpose) {
  if (timer.status === "failed") return ["Fejl ved udløb", "late"];
  if (purpose === "breach" && OUTCOMES[timer.outcome]) return OUTCOMES[timer.outcome];
  const [text, tone] = (STATES[purpose] || STATES.other)[timer.status] || [timer.status, "muted"];
  return [text, tone];
}

/** The end of the track: the latest deadline's day (a calendar deadline's last day), or now. */
function endLabel(timers, times, last) {
  const latest = timers[times.indexOf(last)];
  if (!latest) return dateTime(new Date(last).toISOString());
  return latest.due_kind === "calendar" && latest.due_date ? day(latest.due_date) : dateTime(latest.due_at);
}

function track(timers, start, now, describe) {
  const times = timers.map((t) => Date.parse(t.due_at));
  const first = Math.min(Date.parse(start), now, ...times);
  const last = Math.max(now, ...times);
  const span = Math.max(last - first, 1);
  const at = (time) => `${(((time - first) / span) * 100).toFixed(2)}%`;
  const line = h("div", { class: "track-line" });
  const today = h("div", { class: "track-now", title: "Nu: " + dateTime(new Date(now).toISOString()) }, h("span", {}, "Nu"));
  today.style.left = at(now);
  const points = timers.map((timer, i) => {
    const [text, tone] = describe(timer);
    const point = h("div", { class: `track-point tone-${tone}`, title: `${dueText(timer)}: ${text}` });
    point.style.left = at(times[i]);
    return point;
  });
  return h(
    "div",
    { class: "track", "aria-hidden": "true" },
    line,
    today,
    points,
    h("span", { class: "track-start" }, dateTime(start)),
    h("span", { class: "track-end" }, endLabel(timers, times, last)),
  );
}

/** Render the deadlines of `kase` (GET /cases/{id}) into `container`; "Nu" is `nowMs`, the
 * service's clock. */
export function showTimeline(container, kase, nameOf, nowMs) {
  const byElement = purposes(kase.history || []);
  const timers = [...(kase.deadlines || [])].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  if (!timers.length) {
    fill(container, h("p", { class: "empty" }, "Sagen har ingen frister."));
    return;
  }
  // Each deadline names its purpose and rule; older answers lack them, so fall back to the history.
  const infoOf = (timer) => (timer.purpose !== undefined ? timer : byElement.get(timer.element_id) || {});
  const describe = (timer) => state(timer, infoOf(timer).purpose);
  const rows = timers.map((timer) => {
    const info = infoOf(timer);
    const [text, tone] = describe(timer);
    return [
      dueText({ ...timer, purpose: info.purpose }),
      nameOf(timer.element_id),
      info.deadline ? label(DEADLINES, info.deadline) : "–",
      h("span", { class: `badge tone-${tone}`, dataset: { elementId: timer.element_id } }, text),
      timer.fired_at ? dateTime(timer.fired_at) : "–",
    ];
  });
  fill(
    container,
    track(timers, kase.started_at, nowMs, describe),
    table(["Udløber", "Frist", "Regel", "Status", "Udløst"], rows, {
      caption: "Nu er " + dateTime(new Date(nowMs).toISOString()) + " (tjenestens ur).",
    }),
  );
}
