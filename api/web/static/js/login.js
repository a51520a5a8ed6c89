// Sign-in: the ways this service offers (GET /auth/providers) — the municipality's login through
// KOMBIT (SAML) or OIDC, and in dev mode only the printed dev token. Each ends in a server-side
// session; the page then goes on to where the user was going, or to the role's own page.

import { api } from "./api.js";
import { byId, fill, message } from "./dom.js";

const MESSAGES = {
  refused: ["error", "Log ind blev afvist. Prøv igen, eller kontakt kommunens administrator, hvis du mener, at du skal have adgang."],
  token: ["error", "Tokenet blev afvist. Tjek at det er indsat helt."],
  signed_out: ["info", "Du er logget ud."],
  next: ["info", "Log ind for at fortsætte."],
};

/** Where to go after signing in: only a page of this app (no open redirect); empty: the role's page. */
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") || "";
  const safe = next.startsWith("/ui/") && !next.startsWith("//") && !next.includes("\\");
  return safe && !next.startsWith("/ui/login") ? next : "";
}

function show(kind) {
  const [level, text] = MESSAGES[kind];
  fill(byId("login-message"), message(level, text));
}

function withNext(link) {
  const next = nextPage();
  if (next) link.href = link.getAttribute("href") + "?next=" + encodeURIComponent(next);
  link.hidden = false;
}

async function start() {
  const query = new URLSearchParams(location.search);
  const kind = query.get("error") || (query.has("signed_out") ? "signed_out" : query.has("next") ? "next" : "");
  if (MESSAGES[kind]) show(kind);
  let offered;
  try {
    offered = await api("/auth/providers");
  } catch (error) {
    fill(byId("login-message"), message("error", "Serveren svarer ikke: " + error.message));
    return;
  }
  if (offered.saml) withNext(byId("login-saml"));
  if (offered.oidc) withNext(byId("login-oidc"));
  byId("providers").hidden = !(offered.saml || offered.oidc);
  if (offered.dev) {
    byId("next").value = nextPage();
    byId("login-form").hidden = false;
  }
}

start();
