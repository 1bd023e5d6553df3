// Sign-in: email and password, then the authenticator (or recovery) code when the API asks for
// one. Problem codes become plain messages; the password never leaves the form.

import { rememberSession, request } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";

export function signInView(ctx, message) {
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const code = h("input", { id: "code", name: "code", autocomplete: "one-time-code", inputmode: "text", spellcheck: "false" });
  const codeField = field("Authentication code", code, "The 6-digit code from your authenticator app, or one of your recovery codes.");
  codeField.hidden = true;
  const alert = h("div", { id: "sign-in-error", role: "alert" });
  const submit = h("button", { type: "submit", id: "sign-in" }, "Sign in");

  const form = h("form", { class: "panel narrow", novalidate: true, "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in to Caseledger"),
    message ? h("p", { class: "notice", id: "sign-in-message" }, message) : null,
    alert,
    field("Email address", email),
    field("Password", password),
    codeField,
    submit);

  function showError(text) {
    fill(alert, h("p", { class: "error" }, text));
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(alert);
    if (!email.value.trim() || !password.value) {
      showError("Enter your email address and password.");
      (email.value.trim() ? password : email).focus();
      return;
    }
    const body = { email: email.value.trim(), password: password.value };
    const c = code.value.replace(/\s+/g, "");
    if (!codeField.hidden && c) {
      if (/^\d{6,8}$/.test(c)) body.totp_code = c;
      else body.recovery_code = c;
    }
    submit.disabled = true;
    try {
      const s = await request("POST", "/sessions", body, { signIn: true });
      rememberSession(s.csrf_token, s.idle_timeout_seconds);
      password.value = "";
      code.value = "";
      ctx.signedIn({ user_id: s.user_id, role: s.role, stage: s.must_enrol_totp ? "enrol_totp" : "full" });
    } catch (err) {
      submit.disabled = false;
      if (err.code === "second_factor_required") {
        codeField.hidden = false;
        fill(alert, h("p", { class: "notice" }, describe(err)));
        code.focus();
        return;
      }
      showError(describe(err));
      if (err.code === "invalid_second_factor") {
        code.value = "";
        code.focus();
      } else if (err.code === "invalid_credentials") {
        password.value = "";
        password.focus();
      }
    }
  });

  fill(ctx.main, form);
  document.title = "Sign in · Caseledger";
  email.focus();
}
