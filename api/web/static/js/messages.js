// Messages shown for the API's stable problem codes. Unknown codes fall back to the problem's
// title, detail (ids and field names only) and code.

const byCode = {
  invalid_credentials: "The email address or password is not correct.",
  second_factor_required: "Enter the code from your authenticator app to finish signing in.",
  invalid_second_factor: "That code is not correct. Enter the current code from your authenticator app, or a recovery code.",
  account_locked: "This account is locked for a while after too many failed attempts. Try again later.",
  account_disabled: "This account is disabled. Ask your practice administrator.",
  sign_in_throttled: "Too many sign-in attempts. Wait a minute and try again.",
  too_many_requests: "Too many requests. Wait a moment and try again.",
  session_expired: "Your session ended after a period of inactivity. Please sign in again.",
  unauthenticated: "Please sign in.",
  csrf_failed: "The request could not be verified. Please sign in again.",
  role_forbidden: "Your role cannot use this screen.",
  totp_enrolment_required: "Set up two-factor authentication before continuing.",
  network: "The server could not be reached. Check the connection and try again.",
  slot_taken: "That time has just been taken. Choose another.",
  hold_expired: "The time was held for you for a limited time, which has passed. Choose a time again.",
  too_short_notice: "That time is too soon to book online. Choose a later time, or contact the practice.",
  consent_missing: "Please sign the consent form for this service before booking it.",
  consent_outdated: "The consent form for this service has changed. Please read and sign the new version before booking.",
  consent_withdrawn: "You withdrew your consent to this service. Please sign its consent form again before booking.",
  erasure_request_open: "You already have an erasure request that is being decided or has been approved.",
  internal: "The server failed. Try again; if it keeps failing, give your administrator the request id.",
};

// describe returns the message to show for an ApiError.
export function describe(err) {
  const known = byCode[err.code];
  if (known) return err.code === "internal" && err.requestId ? `${known} (request ${err.requestId})` : known;
  const parts = [err.title || "The request failed"];
  if (err.detail) parts.push(`: ${err.detail}`);
  if (err.code) parts.push(` (${err.code})`);
  return parts.join("");
}

// errorBox is an alert showing err; null after a 401, when the shell has already returned to
// sign-in.
export function errorBox(err) {
  if (err?.status === 401) return null;
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = describe(err);
  return p;
}
