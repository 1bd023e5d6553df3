// The audit trail: who did what to which record, from the audit read model. Auditors and the DPO
// see everything, by ids and event types only. A therapist sees what she did and what was done to
// the records she holds ("who accessed my clients"), with her clients' names from her caseload and
// her own actions marked as hers. Filters are ids, types and dates.

import { get, query } from "../api.js";
import { field, fill, h } from "../dom.js";
import { addDays, dateTime, fullName, inputDate, shortID } from "../format.js";
import { onPeriod } from "../period.js";

const limit = 1000;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditView(ctx) {
  const today = new Date(new Date().setHours(0, 0, 0, 0));
  const from = h("input", { id: "audit-from", type: "date", value: inputDate(addDays(today, -7)), required: true });
  const to = h("input", { id: "audit-to", type: "date", value: inputDate(addDays(today, 1)), required: true });
  const type = h("input", { id: "audit-type", autocomplete: "off", spellcheck: "false", placeholder: "e.g. RecordAccessed" });
  const subject = h("input", { id: "audit-subject", autocomplete: "off", spellcheck: "false", class: "mono" });
  const out = h("div", { id: "audit" });
  const form = h("form", { "aria-label": "Audit filters" },
    h("div", { class: "row" }, field("From", from), field("Until (exclusive)", to), field("Event type", type), field("Subject id", subject),
      h("button", { type: "submit" }, "Show")));
  const therapist = ctx.me?.role === "therapist";
  fill(ctx.main, h("h1", {}, "Audit trail"),
    therapist ? h("p", { class: "hint" }, "What you did, and what anyone did to the records you hold: who read them, when and why.") : null,
    form, out);
  document.title = "Audit trail · Caseledger";
  let names = null; // a therapist's clients by id, read once
  onPeriod(ctx, form, from, to, out, async (f, t, fresh) => {
    const params = { from: f.toISOString(), to: t.toISOString(), limit: String(limit) };
    if (type.value.trim()) params.event_type = type.value.trim();
    if (subject.value.trim()) {
      if (!uuid.test(subject.value.trim())) {
        fill(out, h("p", { class: "error", role: "alert" }, "A subject id is a UUID such as 0190a2b4-…; search by name is the DPO's client search."));
        return;
      }
      params.subject_id = subject.value.trim().toLowerCase();
    }
    fill(out, h("p", { class: "loading" }, "Loading the audit trail…"));
    const [res, clients] = await Promise.all([get("/audit" + query(params)), therapist && !names ? get("/clients") : null]);
    if (!fresh()) return;
    if (clients) names = new Map(clients.clients.map((c) => [c.id, fullName(c.details)]));
    const subjectOf = (id) => (names?.has(id) ? h("td", {}, names.get(id)) : h("td", { class: "mono", title: id || "" }, shortID(id)));
    const actorOf = (e) => (therapist && e.actor_id === ctx.me.user_id ? "you" : [e.actor_role, " ", h("span", { class: "mono", title: e.actor_id }, shortID(e.actor_id))]);
    if (res.entries.length === 0) {
      fill(out, h("p", { class: "empty" }, "No entries in this period."));
      return;
    }
    fill(out, h("table", {},
      h("caption", {}, res.entries.length === limit ? `The first ${limit} entries of the period; narrow the filters to see the rest.` : `${res.entries.length} entries`),
      h("thead", {}, h("tr", {}, ["Recorded", "Event", "Actor", "Subject", "Accessed", "Stream"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, res.entries.map((e) => h("tr", {},
        h("td", {}, h("time", { datetime: e.recorded_at }, dateTime(e.recorded_at))),
        h("td", {}, e.event_type),
        h("td", {}, actorOf(e)),
        subjectOf(e.subject_id),
        h("td", {}, e.accessed_what || ""),
        h("td", { class: "mono" }, e.stream_id))))));
  });
}
