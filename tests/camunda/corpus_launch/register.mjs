// Loaded with `node --import` before a Camunda example worker: installs hooks.mjs, which points
// the example's `camunda-external-task-client-js` at client.mjs (the real client with the test
// server's URL and credentials) and its `open` (a browser opener) at a no-op. Nothing else of
// the example changes.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
