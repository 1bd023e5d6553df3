// A client's record, opened by a therapist or the DPO. Opening it is an audited read: the API
// appends a record-accessed event before answering. The therapist who holds the record books
// sessions from it. Session notes (therapists only) are a
// separate audited read, made only when the therapist asks for them.

import { get, query } from "../api.js";
import { fill, h, link } from "../dom.js";
import { errorBox } from "../messages.js";
import { calendarDate, dateTime, fullName, shortID } from "../format.js";
import { consentTable, detailsList } from "./details.js";
import { notesSection } from "./notes.js";
import { staffBookingSection } from "./staff_booking.js";

export async function recordView(ctx, id) {
  const g = ctx.generation;
  const back = ctx.me.role === "therapist" ? link("/app/caseload", "← Caseload") : link("/app/search", "← Find a client");
  fill(ctx.main, h("p", {}, back), h("p", { class: "loading" }, "Opening record…"));
  document.title = "Client record · Caseledger";
  const purpose = ctx.me.role === "dpo" ? "data_protection" : "treatment";
  let rec;
  try {
    rec = await get(`/clients/${id}` + query({ purpose }));
  } catch (err) {
    if (!ctx.current(g)) return;
    fill(ctx.main, h("p", {}, back), err.status === 404
      ? h("div", { role: "alert" }, h("h1", {}, "Record not found"), h("p", {}, "There is no client record with this id that you may open."))
      : errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const consents = h("div", {}, h("p", { class: "loading" }, "Loading consents…"));
  fill(ctx.main,
    h("p", {}, back),
    h("h1", { id: "client-name" }, fullName(rec.details),
      rec.restricted ? h("span", { class: "tag warn" }, "processing restricted") : null,
      rec.discharged_on ? h("span", { class: "tag" }, `discharged ${calendarDate(rec.discharged_on)}`) : null),
    h("p", { class: "hint" }, "Opening this record was recorded in the audit log."),
    h("section", { class: "panel", "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Details"), detailsList(rec.details)),
    h("section", { class: "panel", "aria-labelledby": "custody-title" }, h("h2", { id: "custody-title" }, "Responsible therapist"),
      h("ul", {}, (rec.custody || []).map((p) => h("li", {},
        h("span", { class: "mono", title: p.therapist_id }, shortID(p.therapist_id)), p.therapist_id === ctx.me.user_id ? " (you)" : "",
        ` from ${dateTime(p.from)}`, p.until ? ` until ${dateTime(p.until)}` : "")))),
    h("section", { class: "panel", "aria-labelledby": "consents-title" }, h("h2", { id: "consents-title" }, "Consents"), consents),
    ctx.me.role === "therapist" && rec.therapist_id === ctx.me.user_id ? staffBookingSection(ctx, g, rec) : null,
    ctx.me.role === "therapist" ? notesSection(ctx, id) : null);
  try {
    // Service names are a nicety: a DPO who is not on the practice's staff sees ids instead.
    const [c, services] = await Promise.all([get(`/clients/${id}/consents`),
      get(`/practices/${rec.practice_id}/service-types`).catch(() => ({ service_types: [] }))]);
    if (ctx.current(g)) fill(consents, consentTable(c.consents, new Map(services.service_types.map((s) => [s.id, s.name]))));
  } catch (err) {
    if (ctx.current(g)) fill(consents, errorBox(err));
  }
}
