// The JSON API as the pages use it. The browser is signed in by a server-side session: an
// HttpOnly cookie the scripts never see, sent with every call to this origin. State-changing
// calls also carry the session's CSRF token (from GET /auth/session). A 401 from any call sends
// the user to the login page (and back here after signing in).

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let session = null; // the promise of GET /auth/session, asked once per page

/** Go to the login page, asking it to come back to the current page. */
export function toLogin() {
  const here = location.pathname + location.search;
  location.assign("/ui/login?next=" + encodeURIComponent(here));
}

/** A refused call: the HTTP status and the problem+json body (detail, errors). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Who is signed in: {user, municipality, roles, teams, provider, csrf_token, home}. */
export function currentSession() {
  if (!session) {
    session = api("/auth/session").catch((error) => {
      session = null;
      throw error;
    });
  }
  return session;
}

/** Call the API; resolves to the parsed JSON body, rejects with an ApiError. */
export async function api(path, { method = "GET", query, body } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method)) {
    const csrf = (await currentSession()).csrf_token;
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.status === 401) toLogin();
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** End the session here and, where the provider offers it, at the provider (single logout). */
export async function signOut() {
  let target = "/ui/login?signed_out=1";
  try {
    target = (await api("/auth/logout", { method: "POST" })).redirect || target;
  } finally {
    session = null;
    location.assign(target);
  }
}
