// Login: check the pasted token against the API, keep it in this tab, and go on.

import { api, ApiError, forgetToken, saveToken } from "./api.js";
import { byId, fill, message } from "./dom.js";

/** Where to go after logging in: only a page of this app (no open redirect). */
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") || "";
  const safe = next.startsWith("/ui/") && !next.startsWith("//") && !next.includes("\\");
  return safe && !next.startsWith("/ui/login") ? next : "/ui/";
}

async function login(event) {
  event.preventDefault();
  const box = byId("login-message");
  const candidate = byId("token").value.trim();
  if (!candidate) return;
  fill(box, message("info", "Kontrollerer tokenet …"));
  try {
    await api("/tasks", { query: { limit: 1 }, auth: candidate });
  } catch (error) {
    // 403: the token is valid, only this role may not list tasks (a process owner, say).
    if (!(error instanceof ApiError) || error.status !== 403) {
      const refused = error instanceof ApiError && error.status === 401;
      fill(box, message("error", refused ? "Tokenet blev afvist. Tjek at det er indsat helt." : "Serveren svarer ikke: " + error.message));
      return;
    }
  }
  saveToken(candidate);
  location.assign(nextPage());
}

forgetToken();
byId("login-form").addEventListener("submit", login);
if (new URLSearchParams(location.search).has("next")) {
  fill(byId("login-message"), message("info", "Log ind for at fortsætte."));
}
