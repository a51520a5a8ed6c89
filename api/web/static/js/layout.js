// What every page but the login page shares: it needs a signed-in session, and it has the
// navigation bar with the person's name and "Log ud".

import { ApiError, currentSession, signOut } from "./api.js";
import { byId, fill, h, message } from "./dom.js";

const LINKS = [
  ["dashboard", "/ui/", "Overblik"],
  ["cases", "/ui/cases", "Sager"],
  ["tasks", "/ui/tasks", "Opgaver"],
];

/** Render the navigation with `current` marked. Without a session the first call of the page
 * answers 401 and sends the user to the login page. */
export function startPage(current) {
  const logout = h("button", { type: "button", class: "link-button", id: "logout" }, "Log ud");
  logout.addEventListener("click", () => signOut());
  const who = h("span", { class: "who", id: "who" });
  currentSession().then(
    (found) => fill(who, found.user),
    () => null, // a 401 is on its way to the login page
  );
  fill(
    byId("top"),
    h("a", { class: "brand", href: "/ui/" }, "Sagsflow"),
    h(
      "nav",
      { "aria-label": "Hovedmenu" },
      LINKS.map(([name, href, text]) =>
        h("a", { href, "aria-current": name === current ? "page" : null }, text),
      ),
    ),
    who,
    logout,
  );
  return true;
}

/** A readable Danish message for a failed call. */
export function problemText(error) {
  if (!(error instanceof ApiError)) return "Noget gik galt: " + (error && error.message ? error.message : error);
  if (error.status === 401) return "Du er ikke logget ind (eller din session er udløbet).";
  if (error.status === 403) return "Du har ikke adgang til dette med din rolle.";
  if (error.status === 404) return "Findes ikke, eller du har ikke adgang til den.";
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
