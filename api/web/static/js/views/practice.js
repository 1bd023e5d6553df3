// The admin's practice settings: the consent rule (whether a booking without a valid consent is
// refused or only warned about), the staff (who works in the practice, in which role), and the
// service types with their session lengths and consent forms (a new version of a form takes effect
// when the admin says; clients who signed an older one are asked again), and the retention period
// of each kind of record. Every change is an event naming the admin. Note templates are added
// through the API.

import { post, put, del } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";
import { dateTime, humanize } from "../format.js";
import { readAll, redraw } from "./screen.js";

const staffRoles = [["therapist", "Therapist"], ["practice_manager", "Practice manager"], ["dpo", "Data protection officer"],
  ["auditor", "Auditor"], ["admin", "Administrator"]];
const roleName = Object.fromEntries(staffRoles);

// The record kinds and what their figure counts (domain/practice/retention.go).
const recordKinds = [
  ["adult_mental_health", "Adult mental-health records", "years after the end of treatment"],
  ["general_adult", "General adult records", "years after the end of treatment"],
  ["child", "Children's records", "kept until this birthday (one more if 17 at the end of treatment)"],
  ["financial", "Financial records", "years after the transaction"],
];

export async function practiceView(ctx) {
  const g = ctx.generation;
  const out = h("div", { id: "practice", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading the practice…"));
  fill(ctx.main, h("h1", {}, "Practice"), out);
  document.title = "Practice · Caseledger";
  const answers = await readAll(ctx, g, out, ["/practices", "/users"]);
  if (!answers) return;
  const [practices, users] = answers;
  const reload = redraw(ctx, g, practiceView);
  if (practices.practices.length === 0) {
    fill(out, h("p", { class: "empty" }, "No practice has been opened yet (POST /api/v1/practices)."));
    return;
  }
  const emails = new Map(users.users.map((u) => [u.id, u]));
  fill(out, practices.practices.map((p) => practiceSections(p, emails, practices.practices.length > 1, reload)));
}

function practiceSections(p, users, several, reload) {
  const base = `/practices/${p.id}`;
  return h("div", { class: "practice", "data-practice": p.id },
    several ? h("h2", {}, "Practice ", h("span", { class: "mono" }, p.id)) : null,
    h("section", { class: "panel", "aria-label": "Consent rule" }, consentRuleForm(base, p.consent_rule, reload)),
    h("section", { class: "panel", "aria-label": "Staff" }, h("h2", {}, "Staff"), staffTable(base, p.staff, users, reload), addStaffForm(base, p.staff, users, reload)),
    h("section", { class: "panel", "aria-label": "Services" }, h("h2", {}, "Services and consent forms"), servicesTable(base, p.service_types, reload), addServiceForm(base, reload)),
    h("section", { class: "panel", "aria-label": "Retention" }, h("h2", {}, "Retention periods"),
      h("p", { class: "hint" }, "How long records are kept before the retention sweep asks the DPO to decide on them. Nothing is erased without that decision."),
      recordKinds.map(([kind, label, counts]) => retentionForm(base, kind, label, counts, p.retention_years[kind], reload))));
}

function retentionForm(base, kind, label, counts, years, reload) {
  const input = h("input", { type: "number", id: `retention-${kind}`, min: 1, max: 100, value: years ?? "" });
  const save = h("button", { type: "submit", class: "secondary" }, "Save");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": `Retention of ${label.toLowerCase()}` },
    h("div", { class: "row" }, field(label, input, counts), save), alert);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const n = Number(input.value);
    if (!Number.isInteger(n) || n < 1) return fill(alert, h("p", { class: "error" }, "Give a whole number."));
    send(save, alert, () => put(`${base}/retention-periods/${kind}`, { years: n }), `${label}: ${n} saved.`, reload);
  });
  return form;
}

// send posts (or puts, deletes) and reloads with message; errors show in alert.
async function send(button, alert, call, message, reload) {
  button.disabled = true;
  try {
    await call();
    reload(message);
  } catch (err) {
    button.disabled = false;
    fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
  }
}

function consentRuleForm(base, rule, reload) {
  const choice = h("select", { id: "consent-rule" },
    h("option", { value: "block", selected: rule === "block" }, "Refuse a booking without a valid consent"),
    h("option", { value: "warn", selected: rule === "warn" }, "Book it, with a warning to the therapist"));
  const save = h("button", { type: "submit" }, "Save");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Consent rule" }, h("h2", {}, "Consent rule"),
    h("div", { class: "row" }, field("When a client has not validly consented to the service", choice), save), alert);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(save, alert, () => put(`${base}/consent-rule`, { rule: choice.value }), "Consent rule saved.", reload);
  });
  return form;
}

function staffTable(base, staff, users, reload) {
  if (staff.length === 0) return h("p", { class: "empty" }, "No staff yet.");
  const rows = staff.slice().sort((a, b) => (users.get(a.user_id)?.email || a.user_id).localeCompare(users.get(b.user_id)?.email || b.user_id));
  return h("table", {},
    h("thead", {}, h("tr", {}, ["Account", "Role here", ""].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((m) => {
      const alert = h("div", { role: "alert" });
      const remove = h("button", { type: "button", class: "secondary remove-staff" }, "Remove");
      const who = users.get(m.user_id)?.email || m.user_id;
      remove.addEventListener("click", () => send(remove, alert, () => del(`${base}/staff/${m.user_id}`),
        `${who} no longer works in the practice. Transfer their caseload if they held records.`, reload));
      return h("tr", { "data-staff": m.user_id }, h("td", {}, who), h("td", {}, roleName[m.role] || humanize(m.role)), h("td", {}, remove, alert));
    })));
}

function addStaffForm(base, staff, users, reload) {
  const members = new Set(staff.map((m) => m.user_id));
  const candidates = [...users.values()].filter((u) => u.role !== "client" && !u.disabled && !members.has(u.id))
    .sort((a, b) => a.email.localeCompare(b.email));
  if (candidates.length === 0) return h("p", { class: "hint" }, "Every active staff account works here. Register more under Users.");
  const who = h("select", { id: "staff-user" }, candidates.map((u) => h("option", { value: u.id }, u.email)));
  const role = h("select", { id: "staff-role" }, staffRoles.map(([v, l]) => h("option", { value: v }, l)));
  const syncRole = () => { role.value = users.get(who.value)?.role || "therapist"; };
  who.addEventListener("change", syncRole);
  syncRole();
  const add = h("button", { type: "submit" }, "Add to the practice");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Add staff" }, h("div", { class: "row" }, field("Account", who), field("Role here", role), add), alert);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const email = users.get(who.value)?.email;
    send(add, alert, () => post(`${base}/staff`, { user_id: who.value, role: role.value }), `${email} now works in the practice.`, reload);
  });
  return form;
}

function servicesTable(base, services, reload) {
  if (services.length === 0) return h("p", { class: "empty" }, "No services yet.");
  const body = h("tbody", {});
  for (const s of services) {
    const next = () => `version ${s.consent_version_latest} takes effect ${dateTime(s.consent_latest_effective_from)}`;
    const consent = s.consent_version_latest === 0 ? "none yet"
      : s.consent_version_latest === s.consent_version_in_force ? `version ${s.consent_version_in_force}`
        : s.consent_version_in_force === 0 ? next() : `version ${s.consent_version_in_force} in force; ${next()}`;
    const open = h("button", { type: "button", class: "secondary publish" }, "New consent form…");
    const row = h("tr", { "data-service": s.id }, h("td", {}, s.name), h("td", { class: "mono" }, s.code),
      h("td", { class: "num" }, s.minutes ? `${s.minutes} min` : "—"), h("td", {}, consent), h("td", {}, open));
    open.addEventListener("click", () => {
      open.disabled = true;
      row.after(h("tr", { class: "publish-panel" }, h("td", { colspan: 5 }, publishForm(base, s, reload))));
    });
    body.append(row);
  }
  return h("table", {}, h("thead", {}, h("tr", {}, ["Service", "Code", "Session", "Consent form", ""].map((c) => h("th", { scope: "col" }, c)))), body);
}

function publishForm(base, s, reload) {
  const text = h("textarea", { id: `consent-text-${s.id}`, rows: 8, maxlength: 262144 });
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const from = h("input", { type: "datetime-local", id: `consent-from-${s.id}`, value: local });
  const publish = h("button", { type: "submit" }, "Publish");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": `New consent form for ${s.name}` },
    field(`Consent form for ${s.name}`, text, "What the client reads and signs. Clients who signed an earlier version are asked to sign this one."),
    field("Takes effect", from), publish, alert);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!text.value.trim()) return fill(alert, h("p", { class: "error" }, "Write the form's text."));
    const at = new Date(from.value);
    if (Number.isNaN(at.getTime())) return fill(alert, h("p", { class: "error" }, "Give when it takes effect."));
    send(publish, alert, () => post(`${base}/consent-templates`, { service_type_id: s.id, text: text.value, effective_from: at.toISOString() }),
      `A new consent form for ${s.name.toLowerCase()} is published.`, reload);
  });
  return form;
}

function addServiceForm(base, reload) {
  const name = h("input", { id: "service-name", maxlength: 200 });
  const code = h("input", { id: "service-code", maxlength: 64, pattern: "[a-z0-9_]+", placeholder: "for example: couples" });
  const minutes = h("input", { type: "number", id: "service-minutes", min: 5, max: 480, step: 5 });
  const add = h("button", { type: "submit" }, "Add the service");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Add a service" }, h("h3", {}, "Add a service"),
    h("div", { class: "row" }, field("Name", name), field("Code", code, "Lower-case letters, digits and _; never changes."),
      field("Session length (minutes)", minutes, "Needed for clients to book it themselves.")), add, alert);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const say = (m) => fill(alert, h("p", { class: "error" }, m));
    if (!name.value.trim()) return say("Name the service.");
    if (!/^[a-z0-9_]{1,64}$/.test(code.value.trim())) return say("The code takes lower-case letters, digits and _ only.");
    const body = { name: name.value.trim(), code: code.value.trim() };
    if (minutes.value) body.minutes = Number(minutes.value);
    send(add, alert, () => post(`${base}/service-types`, body), `${body.name} added.`, reload);
  });
  return form;
}
