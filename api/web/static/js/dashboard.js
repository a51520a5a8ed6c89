// The leaders' dashboard: GET /reports/overview and /reports/deadlines as charts and tables.

import { api } from "./api.js";
import { now } from "./clock.js";
import { byId, caseLink, days, due, dueText, fill, h, message, number, percent, table } from "./dom.js";
import { BASIS, DEADLINES, MEDIANS, PHASES, SHARES, label } from "./labels.js";
import { isLeader, missingLibrary, problemText, startPage } from "./layout.js";

const COLOURS = { bar: "#2f6f9f", good: "#2e7d32" };

function section(id) {
  return byId(id).querySelector(".figures");
}

/** A long label as lines of at most `width` characters (Chart.js draws an array as lines). */
function wrap(text, width = 22) {
  const lines = [];
  for (const word of String(text).split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + word.length < width) lines[last] += " " + word;
    else lines.push(word);
  }
  return lines;
}

/** A bar chart on `canvasId` (replacing an earlier one); percentages when `asShare`. Long labels
 * (rules, measures) get horizontal bars, so each label has a line of its own and none overlap.
 * Nothing to draw (no rows, or no row with a figure) hides the chart: the table below says why. */
function barChart(canvasId, labels, values, { asShare = false, colour = COLOURS.bar, horizontal = false } = {}) {
  const Chart = window.Chart;
  const canvas = byId(canvasId);
  if (!Chart) return;
  const earlier = Chart.getChart(canvas);
  if (earlier) earlier.destroy();
  const empty = !values.some((v) => v !== null && v !== undefined);
  canvas.parentElement.hidden = empty;
  if (empty) return;
  const valueScale = asShare
    ? { min: 0, max: 1, ticks: { callback: (v) => percent(v) } }
    : { beginAtZero: true, ticks: { precision: 0, callback: (v) => number(v) } };
  const labelScale = { ticks: { autoSkip: false, maxRotation: 0 } };
  if (horizontal) canvas.parentElement.style.height = `${Math.max(160, 34 * labels.length + 50)}px`;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: labels.map((l) => wrap(l, horizontal ? 28 : 22)),
      datasets: [{ data: values, backgroundColor: colour, borderRadius: 3 }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      locale: "da-DK",
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => (asShare ? percent(c.raw) : number(c.raw)) } },
      },
      scales: horizontal ? { x: valueScale, y: labelScale } : { y: valueScale, x: labelScale },
    },
  });
}

function showPhases(phases) {
  const names = phases.map((p) => label(PHASES, p.phase));
  barChart("chart-phases", names, phases.map((p) => p.cases));
  fill(
    section("phases"),
    table(
      ["Fase", "Aktive sager", "Længst i fasen"],
      phases.map((p, i) => [names[i], number(p.cases), days(p.longest_days)]),
      { empty: "Ingen aktive sager.", numeric: [1, 2] },
    ),
  );
}

function showCompliance(rules, late) {
  const names = rules.map((r) => label(DEADLINES, r.deadline));
  barChart("chart-compliance", names, rules.map((r) => r.share_met), {
    asShare: true,
    colour: COLOURS.good,
    horizontal: true,
  });
  fill(
    section("compliance"),
    table(
      ["Frist", "Grundlag", "Overholdt", "Overskredet", "Bortfaldet", "Andel"],
      rules.map((r, i) => [
        names[i],
        `${label(BASIS, r.basis)}${r.paragraph && r.paragraph !== "—" ? ", " + r.paragraph : ""}`,
        number(r.met),
        number(r.breached),
        number(r.cancelled),
        percent(r.share_met),
      ]),
      { empty: "Ingen frister i perioden.", numeric: [2, 3, 4, 5] },
    ),
    h("p", { class: "hint" }, "Andel = overholdt / (overholdt + overskredet). Bortfaldne frister (indsatsen eller sagen sluttede først) tælles ikke med."),
    late && late.breached
      ? h(
          "p",
          { class: "hint", id: "late-investigations" },
          `Børnefaglige undersøgelser over 4 måneder (§ 20, stk. 3): ${number(late.breached)}; foreløbige vurderinger: ${number(late.provisional_assessments)}; ` +
            `afsluttet siden: ${number(late.finished)}` +
            (late.median_days_late === null ? "." : `, median ${days(late.median_days_late)} efter fristen.`),
        )
      : null,
  );
}

function showShares(shares) {
  const names = shares.map((s) => label(SHARES, s.name));
  barChart("chart-shares", names, shares.map((s) => s.share), { asShare: true, colour: COLOURS.good, horizontal: true });
  fill(
    section("shares"),
    table(
      ["Mål", "Ja", "I alt", "Andel"],
      shares.map((s, i) => [names[i], number(s.yes), number(s.total), percent(s.share)]),
      { numeric: [1, 2, 3] },
    ),
  );
}

function showCaseload(caseload) {
  const names = caseload.map((c) => c.caseworker || "Ingen rådgiver");
  barChart("chart-caseload", names, caseload.map((c) => c.cases));
  fill(
    section("caseload"),
    table(["Rådgiver", "Aktive sager"], caseload.map((c, i) => [names[i], number(c.cases)]), {
      empty: "Ingen aktive sager.",
      numeric: [1],
    }),
  );
}

function showMedians(throughput, changes) {
  fill(
    section("throughput"),
    table(
      ["Forløb", "Median", "Sager"],
      throughput.map((m) => [label(MEDIANS, m.name), days(m.median_days), number(m.cases)]),
      { numeric: [1, 2] },
    ),
  );
  fill(
    section("changes"),
    table(
      ["Skift af rådgiver", "Sager"],
      changes.map((c) => [number(c.changes), number(c.cases)]),
      { empty: "Ingen sager.", numeric: [0, 1] },
    ),
  );
}

function deadlineRows(rows) {
  return rows.map((d) => [
    caseLink(d.case_id, d.business_key || d.case_id),
    label(DEADLINES, d.deadline),
    due(d, now()),
    d.caseworker || "–",
    d.team || "–",
  ]);
}

function showDeadlines(report, daysAhead) {
  const headings = ["Sag", "Frist", "Udløber", "Rådgiver", "Team"];
  fill(
    section("due-soon"),
    h("p", { class: "hint" }, `Åbne frister der udløber inden for ${daysAhead} dage.`),
    table(headings, deadlineRows(report.due_soon), { empty: "Ingen frister udløber i perioden." }),
  );
  fill(section("breached"), table(headings, deadlineRows(report.breached), { empty: "Ingen overskredne frister." }));
}

async function load() {
  const form = new FormData(byId("filters"));
  const filters = { team: form.get("team"), caseworker: form.get("caseworker") };
  const daysAhead = form.get("days");
  const status = byId("dashboard-message");
  fill(status, window.Chart ? null : missingLibrary("Diagrammerne"));
  try {
    const [overview, deadlines] = await Promise.all([
      api("/reports/overview", { query: filters }),
      api("/reports/deadlines", { query: { ...filters, days: daysAhead } }),
    ]);
    showPhases(overview.phases);
    showCompliance(overview.compliance, overview.late_investigations);
    showShares(overview.shares);
    showCaseload(overview.caseload);
    showMedians(overview.throughput, overview.caseworker_changes);
    showDeadlines(deadlines, daysAhead);
    document.body.dataset.loaded = "true";
  } catch (error) {
    fill(status, message("error", problemText(error)));
  }
}

startPage("dashboard").then((session) => {
  if (!isLeader(session)) {
    location.replace(session.home || "/ui/tasks"); // Overblik is the leaders' page
    return;
  }
  byId("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  load();
}, () => null);
