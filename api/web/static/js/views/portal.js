// The client portal: the signed-in client's own record (a client's portal account has the
// client's id), upcoming appointments, and consent forms to read and sign. The server reads
// appointments and consent forms for a client from the event log and records each read in the
// client's access log, like any other record read.

import { get, query } from "../api.js";
import { fill, h } from "../dom.js";
import { errorBox } from "../messages.js";
import { dateTime, fullName, humanize, money } from "../format.js";
import { detailsList } from "./details.js";
import { consentFormsSection } from "./consent_forms.js";

export async function portalView(ctx) {
  const g = ctx.generation;
  const id = ctx.me.user_id;
  fill(ctx.main, h("h1", {}, "My record"), h("p", { class: "loading" }, "Loading your record…"));
  document.title = "My record · Caseledger";
  let rec;
  try {
    rec = await get(`/clients/${id}` + query({ purpose: "own_record" }));
  } catch (err) {
    if (ctx.current(g)) fill(ctx.main, h("h1", {}, "My record"), errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const consents = h("div", {}, h("p", { class: "loading" }, "Loading your consent forms…"));
  const appointments = h("div", {}, h("p", { class: "loading" }, "Loading your appointments…"));
  fill(ctx.main,
    h("h1", {}, "My record"),
    h("p", { id: "client-name", class: "lead" }, fullName(rec.details)),
    h("section", { class: "panel", "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Your details"), detailsList(rec.details),
      h("p", { class: "hint" }, "If something here is wrong, ask your therapist or the practice to correct it.")),
    h("section", { class: "panel", "aria-labelledby": "appointments-title" }, h("h2", { id: "appointments-title" }, "Your upcoming appointments"), appointments),
    h("section", { class: "panel", "aria-labelledby": "consents-title" }, h("h2", { id: "consents-title" }, "Your consent forms"), consents));
  const forms = consentFormsSection(ctx, g, id, consents);
  try {
    const a = await get(`/clients/${id}/appointments`);
    if (ctx.current(g)) fill(appointments, appointmentTable(a.appointments));
  } catch (err) {
    if (ctx.current(g)) fill(appointments, errorBox(err));
  }
  await forms;
}

// appointmentTable lists the client's own appointments, soonest first (the server orders them).
function appointmentTable(appts) {
  if (appts.length === 0) return h("p", { class: "empty" }, "No upcoming appointments.");
  return h("table", { id: "my-appointments" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Where"), h("th", { scope: "col" }, "Fee"))),
    h("tbody", {}, appts.map((x) => h("tr", {},
      h("td", {}, dateTime(x.start)),
      h("td", {}, humanize(x.status)),
      h("td", {}, place(x)),
      h("td", { class: "num" }, x.fee_currency ? money(x.fee_minor, x.fee_currency) : "")))));
}

// place is where an appointment happens; a video link is only made a link when it is https.
function place(x) {
  const where = x.location || "";
  if (!x.video_link) return where;
  const link = isHTTPS(x.video_link) ? h("a", { href: x.video_link, rel: "noopener noreferrer" }, "Join by video") : x.video_link;
  return where ? h("span", {}, where + " · ", link) : link;
}

// isHTTPS reports whether s is an absolute https URL.
function isHTTPS(s) {
  try {
    return new URL(s).protocol === "https:";
  } catch {
    return false;
  }
}
