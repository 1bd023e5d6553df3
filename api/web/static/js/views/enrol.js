// Second-factor enrolment, for a session the API limited to it: start (a new secret to add to an
// authenticator app), confirm with a code, then show the recovery codes once.

import { post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";

export function enrolView(ctx) {
  const g = ctx.generation;
  const alert = h("div", { role: "alert" });
  const body = h("div");
  fill(ctx.main, h("section", { class: "panel narrow" },
    h("h1", {}, "Set up two-factor authentication"),
    h("p", {}, "Your practice requires a second factor. Add Caseledger to an authenticator app, then enter the code it shows."),
    alert, body));
  document.title = "Two-factor setup · Caseledger";

  const start = h("button", { type: "button", id: "totp-start" }, "Create my secret");
  fill(body, start);
  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      const t = await post("/me/totp");
      if (ctx.current(g)) confirmStep(t);
    } catch (err) {
      start.disabled = false;
      fill(alert, h("p", { class: "error" }, describe(err)));
    }
  });

  function confirmStep(t) {
    const code = h("input", { id: "totp-code", autocomplete: "one-time-code", inputmode: "numeric", required: true });
    const form = h("form", {},
      h("p", {}, "Enter this key in your authenticator app (or open the link on a device that has one):"),
      h("p", { class: "mono", id: "totp-secret" }, t.secret),
      h("p", {}, h("a", { href: t.otpauth_url }, "Open in authenticator app")),
      field("Code from the app", code),
      h("button", { type: "submit", id: "totp-confirm" }, "Confirm"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const r = await post("/me/totp/confirm", { code: code.value.replace(/\s+/g, "") });
        if (ctx.current(g)) recoveryStep(r.recovery_codes || []);
      } catch (err) {
        fill(alert, h("p", { class: "error" }, describe(err)));
        code.focus();
      }
    });
    fill(alert);
    fill(body, form);
    code.focus();
  }

  function recoveryStep(codes) {
    const done = h("button", { type: "button", id: "totp-continue" }, "I have stored them — continue");
    done.addEventListener("click", () => ctx.signedIn({ ...ctx.me, stage: "full" }));
    fill(alert);
    fill(body,
      h("p", {}, "Two-factor authentication is on. Store these recovery codes somewhere safe; each works once, and they are not shown again."),
      h("ul", { class: "mono" }, codes.map((c) => h("li", {}, c))),
      done);
    done.focus();
  }
}
