// The signed-in user's own account: the password (changing it ends every other session and token
// of the account; this one stays), and, with two-factor on, a fresh set of recovery codes proved
// by a current authenticator code (the old codes stop working; the new ones are shown once).

import { get, post, put } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";

export async function accountView(ctx, roleName, hasScreens) {
  const g = ctx.generation;
  const factor = h("section", { class: "panel", "aria-labelledby": "factor-title" }, h("h2", { id: "factor-title" }, "Two-factor authentication"),
    h("p", { class: "loading" }, "Loading…"));
  fill(ctx.main, h("h1", {}, "Account"),
    h("p", {}, `You are signed in as ${roleName}.`,
      hasScreens ? null : " The web interface has no screens for this role yet; use the API (see /api/v1/openapi.json)."),
    h("section", { class: "panel", "aria-labelledby": "password-title" }, h("h2", { id: "password-title" }, "Password"), passwordForm(ctx)),
    factor);
  document.title = "Account · Caseledger";
  let me;
  try {
    me = await get(`/users/${ctx.me.user_id}`);
  } catch (err) {
    if (ctx.current(g)) fill(factor, h("h2", { id: "factor-title" }, "Two-factor authentication"), errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  fill(factor, h("h2", { id: "factor-title" }, "Two-factor authentication"), me.totp_enabled
    ? [h("p", {}, `On. ${me.recovery_codes_left} recovery codes left.`), recoveryForm(ctx)]
    : h("p", {}, "Off. Ask your administrator if your practice requires it: you then enrol at your next sign-in."));
}

function passwordForm(ctx) {
  const current = h("input", { type: "password", id: "current-password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", id: "new-password", autocomplete: "new-password", minlength: 12, maxlength: 256, required: true });
  const repeat = h("input", { type: "password", id: "repeat-password", autocomplete: "new-password", required: true });
  const send = h("button", { type: "submit" }, "Change the password");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Change the password" },
    field("Current password", current), field("New password", next, "At least 12 characters; a long phrase of unrelated words is good. Common passwords are refused."),
    field("New password again", repeat), send, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const say = (m) => fill(alert, h("p", { class: "error" }, m));
    if (!current.value) return say("Give your current password.");
    if (next.value.length < 12) return say("The new password needs at least 12 characters.");
    if (next.value !== repeat.value) return say("The two new passwords differ.");
    send.disabled = true;
    try {
      await put("/me/password", { current_password: current.value, new_password: next.value });
      form.reset();
      fill(alert);
      ctx.flash("Password changed. Your other sessions and tokens have ended.");
    } catch (err) {
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

function recoveryForm(ctx) {
  const code = h("input", { id: "recovery-totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, pattern: "[0-9]{6}" });
  const send = h("button", { type: "submit", class: "secondary" }, "New recovery codes");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "New recovery codes" },
    h("div", { class: "row" }, field("Code from your authenticator", code), send), alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!/^[0-9]{6}$/.test(code.value.trim())) return fill(alert, h("p", { class: "error" }, "Give the 6-digit code your authenticator shows."));
    send.disabled = true;
    try {
      const res = await post("/me/recovery-codes", { code: code.value.trim() });
      fill(form, h("p", {}, "Your new recovery codes. Store them somewhere safe; each works once, they are not shown again, and the old ones no longer work."),
        h("ul", { id: "new-recovery-codes", class: "codes" }, res.recovery_codes.map((c) => h("li", { class: "mono" }, c))));
      ctx.flash("New recovery codes made.");
    } catch (err) {
      send.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  });
  return form;
}
