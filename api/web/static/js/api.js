// The JSON API client. The session itself is the HttpOnly cookie the API sets; the CSRF token
// from the sign-in answer lives in sessionStorage (this tab only, gone when it closes, never in
// storage that outlives the tab) and goes in X-CSRF-Token on every unsafe request. Nothing here logs.
//
// The API ends a session after its idle timeout without requests. So that a record left open on
// an unattended screen does not stay there, the client asks GET /me once the timeout (plus a
// margin) has passed since the last answer: the API then answers 401 and the shell returns to
// sign-in. The timeout comes from the sign-in answer and is kept beside the CSRF token.

const base = "/api/v1";
const csrfKey = "caseledger.csrf";
const idleKey = "caseledger.idle_seconds";
const idleMarginMs = 2000;

let idleTimer = 0;

// armIdleCheck (re)starts the idle timer after an answer from the API.
function armIdleCheck() {
  clearTimeout(idleTimer);
  const secs = Number(sessionStorage.getItem(idleKey));
  if (secs > 0 && sessionStorage.getItem(csrfKey)) {
    idleTimer = setTimeout(() => request("GET", "/me").catch(() => {}), secs * 1000 + idleMarginMs);
  }
}

// ApiError is a failed request: status 0 when the server could not be reached, otherwise the
// HTTP status and the problem+json fields.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.code || `http_${status}`);
    this.status = status;
    this.code = problem.code || "";
    this.title = problem.title || "";
    this.detail = problem.detail || "";
    this.requestId = problem.request_id || "";
  }
}

let sessionEnded = () => {};

// onSessionEnded registers fn, called with the ApiError when a request (including the idle check)
// answers 401: the session expired or is gone. Sign-in requests do not call it.
export function onSessionEnded(fn) {
  sessionEnded = fn;
}

// rememberSession keeps a new session's CSRF token and idle timeout for this tab.
export function rememberSession(csrfToken, idleSeconds) {
  sessionStorage.setItem(csrfKey, csrfToken);
  sessionStorage.setItem(idleKey, String(idleSeconds || 0));
  armIdleCheck();
}

// forgetSession drops what rememberSession kept and stops the idle timer.
export function forgetSession() {
  clearTimeout(idleTimer);
  sessionStorage.removeItem(csrfKey);
  sessionStorage.removeItem(idleKey);
}

// request sends one API request and returns the decoded JSON body (null for 204). It throws an
// ApiError for any status outside 2xx.
export async function request(method, path, body, { signIn = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") {
    const token = sessionStorage.getItem(csrfKey);
    if (token) headers["X-CSRF-Token"] = token;
  }
  let res;
  try {
    res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
    });
  } catch {
    throw new ApiError(0, { code: "network", title: "Network error" });
  }
  const type = res.headers.get("Content-Type") || "";
  const data = res.status !== 204 && type.includes("json") ? await res.json().catch(() => null) : null;
  if (res.status === 401 && !signIn) {
    const err = new ApiError(res.status, data || {});
    forgetSession();
    sessionEnded(err);
    throw err;
  }
  if (!signIn) armIdleCheck();
  if (!res.ok) throw new ApiError(res.status, data || {});
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});
export const put = (path, body) => request("PUT", path, body ?? {});
export const del = (path) => request("DELETE", path);

// query builds "?k=v&..." from an object of ids, dates and times; never pass personal data.
export function query(params) {
  return "?" + new URLSearchParams(params).toString();
}
