// What every page but the login page shares: it needs a signed-in session, and it has the
// navigation bar for the person's roles (caseworkers: their tasks and cases; leaders also the
// overview), the person's name and "Log ud".

import { ApiError, currentSession, signOut } from "./api.js";
import { syncClock } from "./clock.js";
import { byId, fill, h, message } from "./dom.js";

const LEADERS = ["leader", "admin"];
const LINKS = [
  ["dashboard", "/ui/", "Overblik", LEADERS],
  ["tasks", "/ui/tasks", "Opgaver", ["caseworker", ...LEADERS]],
  ["cases", "/ui/cases", "Sager", null],
  ["migration", "/ui/migration", "Flyt sager", ["process_owner", "admin"]],
];

export function isLeader(session) {
  return session.roles.some((role) => LEADERS.includes(role));
}

/** Render the navigation with `current` marked, once the session says who is signed in; resolves
 * to the session (and the service's clock is read). Without a session the first call of the page
 * answers 401 and sends the user to the login page. */
export async function startPage(current) {
  const top = byId("top");
  fill(top, skipLink(), h("a", { class: "brand", href: "/ui/" }, "Sagsflow"));
  const [session] = await Promise.all([currentSession(), syncClock()]);
  const logout = h("button", { type: "button", class: "link-button", id: "logout" }, "Log ud");
  logout.addEventListener("click", () => signOut());
  const links = LINKS.filter(([, , , roles]) => !roles || session.roles.some((r) => roles.includes(r)));
  fill(
    top,
    skipLink(),
    h("a", { class: "brand", href: session.home || "/ui/" }, "Sagsflow"),
    h(
      "nav",
      { "aria-label": "Hovedmenu" },
      links.map(([name, href, text]) => h("a", { href, "aria-current": name === current ? "page" : null }, text)),
    ),
    h("span", { class: "who", id: "who" }, session.user),
    logout,
  );
  return session;
}

function skipLink() {
  return h("a", { class: "skip-link", href: "#main" }, "Gå til indholdet");
}

/** A readable Danish message for a failed call: the server's Danish words when it has them. */
export function problemText(error) {
  if (!(error instanceof ApiError)) return "Noget gik galt: " + (error && error.message ? error.message : error);
  if (error.status === 401) return "Du er ikke logget ind (eller din session er udløbet).";
  if (error.status === 403) return "Du har ikke adgang til dette med din rolle.";
  if (error.status === 404) return "Findes ikke, eller du har ikke adgang til den.";
  const danish = (error.problem.errors || []).map((e) => e.message_da).filter(Boolean);
  if (danish.length) return danish.join(" ");
  if (error.status === 409) return `Det kunne ikke lade sig gøre lige nu (${error.message}). Genindlæs siden.`;
  return `Afvist (${error.status}): ${error.message}`;
}

/** Show a failed call in `container` instead of its content. */
export function showProblem(container, error) {
  fill(container, message("error", problemText(error)));
}

/** A note that a front-end library is missing (scripts/setup-web was not run). */
export function missingLibrary(what) {
  return message(
    "error",
    `${what} kan ikke vises: filerne fra npm mangler på serveren. Kør `,
    h("code", {}, "scripts/setup-web"),
    " (det gør ",
    h("code", {}, "scripts/serve"),
    " selv) og genindlæs siden.",
  );
}
