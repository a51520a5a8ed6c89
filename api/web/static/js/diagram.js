// The case's BPMN files in bpmn-js's NavigatedViewer, with the path taken and the current
// activities marked (canvas.addMarker; the colours are in app.css).

import { fill, h, message } from "./dom.js";
import { missingLibrary } from "./layout.js";

export const MARKERS = { completed: "sf-completed", active: "sf-active", taken: "sf-taken" };

/**
 * Mark elements completed at least once, elements active now, and the sequence flows between a
 * completed element and a reached one. The engine records elements, not flows, so a flow is
 * marked taken when both its ends were reached (exact except where a loop reaches both ends
 * another way).
 */
function mark(viewer, diagram) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const completed = new Set(diagram.completed);
  const reached = new Set([...diagram.completed, ...diagram.active]);
  for (const id of diagram.completed) if (registry.get(id)) canvas.addMarker(id, MARKERS.completed);
  for (const id of diagram.active) if (registry.get(id)) canvas.addMarker(id, MARKERS.active);
  for (const flow of registry.filter((e) => e.type === "bpmn:SequenceFlow")) {
    if (completed.has(flow.source && flow.source.id) && reached.has(flow.target && flow.target.id)) {
      canvas.addMarker(flow.id, MARKERS.taken);
    }
  }
}

async function showOne(container, diagram) {
  const canvasBox = h("div", { class: "diagram-canvas" });
  const figure = h(
    "figure",
    { class: "diagram", dataset: { processId: diagram.process_id } },
    h("figcaption", {}, diagram.name || "Proces uden navn"),
    canvasBox,
  );
  container.append(figure);
  const viewer = new window.BpmnJS({ container: canvasBox });
  try {
    await viewer.importXML(diagram.xml);
  } catch (error) {
    figure.append(message("error", "Diagrammet kunne ikke tegnes: " + error.message));
    return;
  }
  viewer.get("canvas").zoom("fit-viewport", "auto");
  mark(viewer, diagram);
}

/** Draw every diagram of the case into `container`, main process first. */
export async function showDiagrams(container, diagrams) {
  if (!window.BpmnJS) {
    fill(container, missingLibrary("Diagrammet"));
    return;
  }
  fill(container);
  for (const diagram of diagrams) await showOne(container, diagram);
  container.dataset.rendered = "true";
}

/** Element names from the BPMN files (id -> name; boundary events: "<task>: <event>"). */
export function elementNames(diagrams) {
  const names = new Map();
  const parser = new DOMParser();
  for (const diagram of diagrams) {
    const doc = parser.parseFromString(diagram.xml, "application/xml");
    for (const element of doc.querySelectorAll("[id][name]")) names.set(element.getAttribute("id"), element.getAttribute("name"));
    for (const event of doc.getElementsByTagNameNS("*", "boundaryEvent")) {
      const host = names.get(event.getAttribute("attachedToRef"));
      const own = event.getAttribute("name");
      if (host && own) names.set(event.getAttribute("id"), `${host}: ${own}`);
    }
  }
  return (id) => (id ? names.get(id) || id : "–");
}
