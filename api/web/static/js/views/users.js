// The admin's user accounts and the practice's sign-in policy.
//
// Policy: whether staff must use two-factor authentication (each change is an event naming the
// admin). Accounts: every user with role, status (active, disabled, locked after failed sign-ins)
// and two-factor state; the admin registers a user with a one-time password generated in the
// browser (shown once, to hand over; the user changes it under Account), changes a role, disables
// or re-enables an account, and resets a lost second factor. Changing a role or disabling ends the
// user's sessions and tokens. A client's portal account carries the client record's id.

import { post, put, del } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";
import { dateTime, humanize } from "../format.js";
import { readAll, redraw } from "./screen.js";

const roles = [["therapist", "Therapist"], ["practice_manager", "Practice manager"], ["dpo", "Data protection officer"],
  ["auditor", "Auditor"], ["admin", "Administrator"], ["client", "Client (portal)"]];
const roleName = Object.fromEntries(roles);

// onePassword returns 20 random characters from an alphabet without look-alikes (about 115 bits).
function onePassword() {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

export async function usersView(ctx) {
  const g = ctx.generation;
  const policy = h("section", { class: "panel", "aria-labelledby": "policy-title" }, h("h2", { id: "policy-title" }, "Sign-in policy"),
    h("p", { class: "loading" }, "Loading…"));
  const register = h("section", { class: "panel", "aria-labelledby": "register-title" }, h("h2", { id: "register-title" }, "Register a user"));
  const list = h("div", { id: "users", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading the accounts…"));
  fill(ctx.main, h("h1", {}, "Users"), policy, register, h("h2", {}, "Accounts"), list);
  document.title = "Users · Caseledger";
  const answers = await readAll(ctx, g, list, ["/users", "/security-settings"]);
  if (!answers) return;
  const [users, settings] = answers;
  const reload = redraw(ctx, g, usersView);
  fill(policy, h("h2", { id: "policy-title" }, "Sign-in policy"), policyForm(settings, reload));
  fill(register, h("h2", { id: "register-title" }, "Register a user"), registerForm(reload));
  const rows = users.users.slice().sort((a, b) => a.email.localeCompare(b.email));
  fill(list, h("table", {},
    h("thead", {}, h("tr", {}, ["Email", "Role", "Status", "Two-factor", ""].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((u) => userRow(ctx, u, reload)))));
}

function policyForm(settings, reload) {
  const require = h("input", { type: "checkbox", id: "require-staff-totp", checked: settings.require_staff_totp });
  const save = h("button", { type: "submit" }, "Save");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Sign-in policy" },
    h("div", { class: "check" }, require, h("label", { for: require.id }, "Staff must sign in with a second factor (an authenticator app); those without one enrol at their next sign-in.")),
    save, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await put("/security-settings", { require_staff_totp: require.checked });
      reload(require.checked ? "Staff now need a second factor." : "A second factor is now optional for staff.");
    } catch (err) {
      save.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  });
  return form;
}

function registerForm(reload) {
  const email = h("input", { type: "email", id: "new-user-email", autocomplete: "off", required: true, maxlength: 254 });
  const role = h("select", { id: "new-user-role" }, roles.map(([v, l]) => h("option", { value: v }, l)));
  const clientID = h("input", { id: "new-user-client", pattern: "[0-9a-f-]{36}", placeholder: "the client record's id" });
  const clientField = field("Client record id", clientID);
  const password = h("input", { id: "new-user-password", readonly: true, value: onePassword(), class: "mono" });
  const again = h("button", { type: "button", class: "secondary" }, "Another");
  again.addEventListener("click", () => { password.value = onePassword(); });
  const showClient = () => { clientField.hidden = role.value !== "client"; };
  role.addEventListener("change", showClient);
  showClient();
  const send = h("button", { type: "submit" }, "Register");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Register a user" },
    h("div", { class: "row" }, field("Email", email), field("Role", role), clientField),
    h("div", { class: "row" }, field("One-time password", password, "Give it to the user in person or by phone, never by email."), again),
    send, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const say = (m) => fill(alert, h("p", { class: "error" }, m));
    if (!email.value.trim() || !email.checkValidity()) return say("Give the user's email address.");
    if (role.value === "client" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(clientID.value.trim())) {
      return say("A portal account needs the client record's id.");
    }
    const body = { email: email.value.trim(), role: role.value, password: password.value };
    if (role.value === "client") body.id = clientID.value.trim();
    send.disabled = true;
    try {
      await post("/users", body);
      // The password is shown here once, not in the status line that stays on screen.
      const done = h("button", { type: "button", class: "secondary" }, "Done");
      done.addEventListener("click", () => reload(`Registered ${body.email} as ${roleName[body.role].toLowerCase()}.`));
      fill(form, h("p", { id: "new-user-done" }, `Registered ${body.email} as ${roleName[body.role].toLowerCase()}. One-time password: `,
        h("code", { class: "mono" }, body.password), ". Hand it over now: it is not shown again. They change it under Account after signing in."), done);
    } catch (err) {
      send.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  });
  return form;
}

// userRow is one account with its actions; the admin's own account cannot be disabled or demoted
// from here, so that a practice is never left without an admin by a slip.
function userRow(ctx, u, reload) {
  const self = u.id === ctx.me.user_id;
  const status = u.disabled ? "Disabled" : u.locked_until ? `Locked until ${dateTime(u.locked_until)}` : "Active";
  const factor = u.totp_enabled ? `On (${u.recovery_codes_left} recovery codes left)` : "Off";
  const alert = h("div", { role: "alert" });
  const act = async (button, send, message) => {
    button.disabled = true;
    try {
      await send();
      reload(message);
    } catch (err) {
      button.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  };
  const actions = h("div", { class: "actions" });
  if (!self && u.role !== "client") {
    const role = h("select", { id: `role-${u.id}`, "aria-label": `Role of ${u.email}` },
      roles.filter(([v]) => v !== "client").map(([v, l]) => h("option", { value: v, selected: v === u.role }, l)));
    const change = h("button", { type: "button", class: "secondary change-role" }, "Change role");
    change.addEventListener("click", () => {
      if (role.value === u.role) return fill(alert, h("p", { class: "error" }, "Choose another role first."));
      act(change, () => put(`/users/${u.id}/role`, { role: role.value }), `${u.email} is now ${roleName[role.value].toLowerCase()}; their sessions ended.`);
    });
    actions.append(role, change);
  }
  if (!self) {
    const toggle = h("button", { type: "button", class: "secondary toggle" }, u.disabled ? "Enable" : "Disable");
    toggle.addEventListener("click", () => act(toggle, () => put(`/users/${u.id}/status`, { disabled: !u.disabled }),
      u.disabled ? `${u.email} can sign in again.` : `${u.email} is disabled; their sessions ended.`));
    actions.append(toggle);
  }
  if (u.totp_enabled && !self) {
    const reset = h("button", { type: "button", class: "secondary reset-totp" }, "Reset two-factor…");
    reset.addEventListener("click", () => {
      if (reset.dataset.confirm !== "yes") {
        reset.dataset.confirm = "yes";
        reset.textContent = "Confirm: reset two-factor";
        fill(alert, h("p", { class: "hint" }, "Only after checking who is asking: they enrol a new authenticator at their next sign-in."));
        return;
      }
      act(reset, () => del(`/users/${u.id}/totp`), `Two-factor reset for ${u.email}.`);
    });
    actions.append(reset);
  }
  return h("tr", { "data-user": u.id },
    h("td", {}, u.email, self ? " (you)" : ""),
    h("td", {}, roleName[u.role] || humanize(u.role)),
    h("td", {}, status),
    h("td", {}, factor),
    h("td", {}, actions, alert));
}
