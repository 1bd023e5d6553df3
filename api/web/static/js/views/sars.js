// Subject access requests (UK GDPR Art. 15, HIPAA 164.524), worked through from receipt to release.
//
// The DPO sees every request with its client, when it was received, where it stands, its regime
// and its due date (the clock stops while identity or clarification is awaited), most urgent first,
// overdue ones marked. The DPO records a new request, and on an open one records the identity
// check (or asks for identity or clarification, which stops the clock), extends the deadline (UK
// GDPR: one or two months; HIPAA: once, 1 to 30 days, in writing), refuses a manifestly unfounded
// or excessive request, downloads the export as it stands, and releases it once the clinician has
// reviewed it.
//
// A therapist sees the requests about the clients whose records they hold and reviews each export
// under the serious-harm test (DPA 2018 Sch. 3 Pt 2): each note, appointment and sharing consent is
// released as it is, redacted or withheld, with a reason. Reading the export for review is itself
// a recorded access.

import { get, post } from "../api.js";
import { field, fill, h, link } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { calendarDate, dateTime, fullName, humanize, inputDate } from "../format.js";
import { readAll, redraw } from "./screen.js";

const channels = [["email", "Email"], ["letter", "Letter"], ["portal", "Client portal"], ["in_person", "In person"], ["phone", "Phone"]];
const refusals = [["manifestly_unfounded", "Manifestly unfounded"], ["excessive", "Excessive"]];
const formats = [["json", "JSON (machine-readable)"], ["html", "HTML (to read or print)"], ["fhir", "FHIR R4 bundle"]];
const regimes = { uk_gdpr: "UK GDPR", hipaa: "HIPAA" };
const isOpen = (r) => r.status === "open" || r.status === "reviewed";

export async function sarsView(ctx) {
  const g = ctx.generation;
  const dpo = ctx.me?.role === "dpo";
  const out = h("div", { id: "sars", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading the subject access requests…"));
  const receive = dpo ? h("section", { id: "receive-sar", class: "panel" }) : null;
  fill(ctx.main, h("h1", {}, "Subject access requests"),
    dpo ? null : h("p", { class: "hint" }, "Requests about the clients whose records you hold. Review each export before the DPO releases it."),
    receive, out);
  document.title = "Subject access requests · Caseledger";
  const answers = await readAll(ctx, g, out, ["/sars", "/clients"]);
  if (!answers) return;
  const [sars, clients] = answers;
  const reload = redraw(ctx, g, sarsView);
  const names = new Map(clients.clients.map((c) => [c.id, fullName(c.details)]));
  if (dpo) fill(receive, receiveForm(clients.clients, names, reload));
  if (sars.requests.length === 0) {
    fill(out, h("p", { class: "empty" }, dpo ? "No subject access request has been received." : "No request about your clients is waiting."));
    return;
  }
  // Open requests with a due date first, soonest due first; then the rest, newest first.
  const rows = sars.requests.slice().sort((a, b) =>
    (b.due ? 1 : 0) - (a.due ? 1 : 0) || (a.due && b.due ? a.due.localeCompare(b.due) : b.received_on.localeCompare(a.received_on)));
  const body = h("tbody", {});
  for (const r of rows) {
    const row = h("tr", { "data-sar": r.request_id },
      h("td", {}, r.erased ? "Erased client" : r.client_id ? link(`/app/clients/${r.client_id}`, names.get(r.client_id) || "Client record") : "Not yet identified"),
      h("td", {}, calendarDate(r.received_on)),
      h("td", {}, humanize(r.status), isOpen(r) && !r.clock_running ? h("span", { class: "tag" }, "clock stopped") : null),
      h("td", {}, regimes[r.regime] || "", r.time_zone && r.time_zone !== "UTC" ? h("span", { class: "hint" }, ` (${r.time_zone})`) : null),
      h("td", {}, r.due ? calendarDate(r.due) : "", r.overdue ? h("span", { class: "tag warn" }, "overdue") : null),
      h("td", {}, actionButton(ctx, g, r, dpo, reload)));
    body.append(row);
  }
  fill(out, h("table", {},
    h("thead", {}, h("tr", {}, ["Client", "Received", "Status", "Rules", "Due", ""].map((c) => h("th", { scope: "col" }, c)))),
    body));
}

// actionButton opens, below the request's row, the DPO's actions or the therapist's review; null
// when there is nothing to do.
function actionButton(ctx, g, r, dpo, reload) {
  if (r.erased || !isOpen(r) || (!dpo && r.status !== "open")) return null;
  const button = h("button", { type: "button", class: "secondary work" }, dpo ? "Work on…" : "Review…");
  button.addEventListener("click", () => {
    button.disabled = true;
    const panel = h("div", { class: "panel" });
    const row = button.closest("tr");
    row.after(h("tr", { class: "sar-panel", "data-panel-for": r.request_id }, h("td", { colspan: 6 }, panel)));
    if (dpo) fill(panel, dpoActions(r, reload));
    else review(ctx, g, r, panel, reload);
  });
  return button;
}

// receiveForm records a request received by email, letter, phone or in person.
function receiveForm(clients, names, reload) {
  const client = h("select", { id: "sar-client", required: true }, h("option", { value: "" }, "Choose the client…"),
    clients.slice().sort((a, b) => names.get(a.id).localeCompare(names.get(b.id))).map((c) => h("option", { value: c.id }, names.get(c.id))));
  const received = h("input", { type: "date", id: "sar-received", value: inputDate(new Date()), required: true });
  const channel = h("select", { id: "sar-channel" }, channels.map(([v, l]) => h("option", { value: v }, l)));
  const identity = h("select", { id: "sar-identity" },
    h("option", { value: "verified" }, "Identity checked"), h("option", { value: "pending" }, "Identity still to check (no deadline yet under UK GDPR)"));
  const representative = h("input", { type: "checkbox", id: "sar-representative" });
  return actionForm("Record a request", "Record the request",
    [h("div", { class: "row" }, field("Client", client), field("Received on", received), field("How it arrived", channel), field("Identity", identity)),
      h("div", { class: "check" }, representative, h("label", { for: representative.id }, "Made by a representative on the client's behalf"))],
    () => {
      if (!client.value) return "Choose the client the request is about.";
      if (!received.value) return "Give the date the request was received.";
      return { path: "/sars", body: { client_id: client.value, received_on: received.value, channel: channel.value, identity: identity.value, by_representative: representative.checked } };
    },
    () => reload("Subject access request recorded."));
}

// dpoActions are the DPO's steps on open request r.
function dpoActions(r, reload) {
  const id = r.request_id;
  const path = (what) => `/sars/${id}/${what}`;
  const today = inputDate(new Date());
  const parts = [];

  if (r.status === "open" && !r.clock_running) {
    const method = h("input", { id: `identity-method-${id}`, maxlength: 200, placeholder: "for example: passport seen in person" });
    const on = h("input", { type: "date", id: `identity-on-${id}`, value: today });
    parts.push(actionForm("Identity verified", "Record the check", [h("div", { class: "row" }, field("How identity was checked", method), field("On", on))],
      () => (method.value.trim() ? { path: path("identity"), body: { verified: true, method: method.value.trim(), on: on.value } } : "Say how identity was checked."),
      () => reload("Identity recorded: the clock runs.")));
  } else if (r.status === "open") {
    const reason = h("input", { id: `identity-reason-${id}`, maxlength: 4000 });
    const on = h("input", { type: "date", id: `identity-asked-${id}`, value: today });
    parts.push(actionForm("Ask for identity or clarification", "Stop the clock", [h("div", { class: "row" }, field("What was asked for", reason), field("Asked on", on))],
      () => (reason.value.trim() ? { path: path("identity"), body: { verified: false, reason: reason.value.trim(), on: on.value } } : "Say what was asked for."),
      () => reload("The clock is stopped until the answer arrives.")));
  }

  const reason = h("textarea", { id: `extension-reason-${id}`, maxlength: 4000 });
  const notified = h("input", { type: "date", id: `extension-notified-${id}`, value: today });
  if (r.regime === "hipaa") {
    const days = h("input", { type: "number", id: `extension-days-${id}`, min: 1, max: 30, value: 30 });
    const writing = h("input", { type: "checkbox", id: `extension-writing-${id}` });
    parts.push(actionForm("Extend the deadline (once, up to 30 days)", "Extend",
      [h("div", { class: "row" }, field("Days", days), field("Requester told on", notified)), field("Reason", reason),
        h("div", { class: "check" }, writing, h("label", { for: writing.id }, "The requester was told in writing of the reasons and the new date."))],
      () => {
        if (!reason.value.trim()) return "Give the reason for the extension.";
        if (!writing.checked) return "A HIPAA extension must be given to the requester in writing first.";
        return { path: path("extension"), body: { days: Number(days.value), in_writing: true, reason: reason.value.trim(), notified_on: notified.value } };
      },
      () => reload("Deadline extended.")));
  } else {
    const months = h("select", { id: `extension-months-${id}` }, h("option", { value: "1" }, "1 month"), h("option", { value: "2" }, "2 months"));
    parts.push(actionForm("Extend the deadline (complex or numerous requests; 2 months at most)", "Extend",
      [h("div", { class: "row" }, field("By", months), field("Requester told on", notified)), field("Reason", reason)],
      () => (reason.value.trim() ? { path: path("extension"), body: { months: Number(months.value), reason: reason.value.trim(), notified_on: notified.value } } : "Give the reason for the extension."),
      () => reload("Deadline extended.")));
  }

  if (r.status === "reviewed") parts.push(releaseForm(r, reload));
  else parts.push(h("p", { class: "hint" }, "The export can be released once the therapist who holds the record has reviewed it."));
  parts.push(h("p", {}, h("a", { href: `/api/v1${path("export")}?format=html`, download: `sar-${id}.html` }, "Download the export as it stands (recorded as an access)")));

  const refusal = h("select", { id: `refusal-reason-${id}` }, refusals.map(([v, l]) => h("option", { value: v }, l)));
  const detail = h("textarea", { id: `refusal-detail-${id}`, maxlength: 4000 });
  const confirm = h("input", { type: "checkbox", id: `refusal-confirm-${id}` });
  parts.push(actionForm("Refuse the request", "Refuse",
    [field("Grounds", refusal), field("Explanation for the requester", detail),
      h("div", { class: "check" }, confirm, h("label", { for: confirm.id }, "I understand that a refusal closes the request; the requester may complain to the regulator."))],
    () => {
      if (!detail.value.trim()) return "Explain the refusal: the requester reads it.";
      if (!confirm.checked) return "Confirm the refusal.";
      return { path: path("refusal"), body: { reason: refusal.value, detail: detail.value.trim(), on: today } };
    },
    () => reload("Request refused.")));
  return parts;
}

// releaseForm releases the reviewed export in the chosen formats and offers the released files.
function releaseForm(r, reload) {
  const id = r.request_id;
  const boxes = formats.map(([v, l]) => {
    const c = h("input", { type: "checkbox", id: `release-${v}-${id}`, value: v, checked: v !== "fhir" });
    return [c, h("div", { class: "check" }, c, h("label", { for: c.id }, l))];
  });
  const files = h("div", { class: "released" });
  const form = actionForm("Release the reviewed export", "Release to the requester", [boxes.map(([, row]) => row), files],
    () => {
      const picked = boxes.filter(([c]) => c.checked).map(([c]) => c.value);
      return picked.length ? { path: `/sars/${id}/release`, body: { formats: picked } } : "Choose at least one format.";
    },
    (res) => {
      fill(files, h("p", {}, "Released. SHA-256 of the released JSON: ", h("code", { class: "digest" }, res.digest)),
        h("ul", { class: "plain" }, formats.map(([f]) => [f, res.files[f]]).filter(([, text]) => text !== undefined).map(([f, text]) => h("li", {},
          h("a", { href: URL.createObjectURL(new Blob([text], { type: f === "html" ? "text/html" : "application/json" })), download: `sar-${id}.${f === "html" ? "html" : "json"}` },
            `Download the ${humanize(f).toUpperCase()} copy to send`)))));
      form.querySelector("button[type=submit]").remove();
      const done = h("button", { type: "button", class: "secondary" }, "Back to the list");
      done.addEventListener("click", () => reload("Export released."));
      files.append(done);
    });
  return form;
}

// review loads request r's export and shows the therapist's decision on each note, appointment
// and sharing consent.
async function review(ctx, g, r, panel, reload) {
  fill(panel, h("p", { class: "loading" }, "Loading the export…"));
  let rec;
  try {
    rec = await get(`/sars/${r.request_id}/export`);
  } catch (err) {
    if (ctx.current(g)) fill(panel, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const items = [
    ...(rec.notes || []).map((n) => ({ kind: "note", id: n.id, label: `${humanize(n.kind)} note, ${n.status}${n.signed_at ? ` ${dateTime(n.signed_at)}` : ""}`, text: Object.values(n.fields || {}).join(" · ") })),
    ...(rec.appointments || []).map((a) => ({ kind: "appointment", id: a.id, label: `Appointment ${dateTime(a.start)}, ${humanize(a.status)}`, text: a.location || "" })),
    ...(rec.sharing_consents || []).map((s) => ({ kind: "sharing_consent", id: s.id, label: `Consent to share with ${s.recipient_name}`, text: s.purpose || "" })),
  ];
  const decisions = items.map((it) => {
    const key = `${it.kind}-${it.id}`;
    const action = h("select", { id: `action-${key}`, "aria-label": `Decision on ${it.label}` },
      h("option", { value: "" }, "Release as it is"), h("option", { value: "redact" }, "Redact its text"), h("option", { value: "withhold" }, "Withhold it"));
    const reason = h("input", { id: `reason-${key}`, maxlength: 4000, "aria-label": `Reason for ${it.label}`, placeholder: "Reason (serious harm, third-party data)" });
    return { it, action, reason, row: h("li", { class: "review-item", "data-item": key },
      h("p", {}, h("strong", {}, it.label), it.text ? h("span", { class: "excerpt" }, ` — ${it.text.length > 160 ? it.text.slice(0, 160) + "…" : it.text}`) : null),
      h("div", { class: "row" }, action, reason)) };
  });
  fill(panel, actionForm("Review the export", "Record the review",
    [h("p", { class: "hint" }, "Withhold or redact only what would be likely to cause serious harm to the client or another person, or what identifies a third party. Everything else is released."),
      items.length ? h("ul", { class: "plain" }, decisions.map((d) => d.row)) : h("p", { class: "empty" }, "The record holds no notes, appointments or sharing consents.")],
    () => {
      const chosen = decisions.filter((d) => d.action.value);
      const missing = chosen.find((d) => !d.reason.value.trim());
      if (missing) return `Give the reason for: ${missing.it.label}.`;
      return { path: `/sars/${r.request_id}/review`, body: { decisions: chosen.map((d) => ({ item: { kind: d.it.kind, id: d.it.id }, action: d.action.value, reason: d.reason.value.trim() })) } };
    },
    () => reload("Review recorded: the DPO can release the export.")));
}

// actionForm is one titled form: check() returns an error message, or the request to send;
// done(answer) runs after the API accepted it. Errors show in the form's alert.
function actionForm(title, submitLabel, controls, check, done) {
  const send = h("button", { type: "submit" }, submitLabel);
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": title }, h("h2", {}, title), controls, send, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const req = check();
    if (typeof req === "string") return fill(alert, h("p", { class: "error" }, req));
    fill(alert);
    send.disabled = true;
    try {
      done(await post(req.path, req.body));
    } catch (err) {
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}
