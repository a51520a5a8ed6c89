// The JSON API as the pages use it: the bearer token lives in this tab's sessionStorage, and a
// 401 from any call sends the user to the login page (and back here after logging in).

const TOKEN_KEY = "sagsflow.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

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

/** Call the API; resolves to the parsed JSON body, rejects with an ApiError. */
export async function api(path, { method = "GET", query, body, auth = token() } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const headers = { Accept: "application/json, application/problem+json" };
  if (auth) headers.Authorization = "Bearer " + auth;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.status === 401 && auth === token()) {
    forgetToken();
    toLogin();
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}
