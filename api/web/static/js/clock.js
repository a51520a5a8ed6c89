// "Now" by the service's clock (GET /clock), never the browser's: deadlines, how late an
// escalation is and the timeline's "Nu" are measured against the time the service keeps (in dev
// mode it may have been moved months ahead). The offset is read once per page.

import { api } from "./api.js";

let offset = 0;
let synced = null;

/** Read the service's clock once; later calls share the first answer. */
export function syncClock() {
  if (!synced) {
    const sent = Date.now();
    synced = api("/clock")
      .then(({ now: server }) => {
        offset = Date.parse(server) - (sent + Date.now()) / 2;
      })
      .catch(() => {
        offset = 0; // the pages still work, measured by the browser's clock
      });
  }
  return synced;
}

/** The service's current instant, in milliseconds since the epoch. */
export function now() {
  return Date.now() + offset;
}
