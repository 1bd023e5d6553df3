// The practice manager's utilisation report: weekly counts, minutes and fees per therapist and
// service type. It holds no client data; therapists and service types appear by id.

import { get, query } from "../api.js";
import { field, fill, h } from "../dom.js";
import { addDays, calendarDate, inputDate, money, shortID } from "../format.js";
import { onPeriod } from "../period.js";

export function utilisationView(ctx) {
  const today = new Date(new Date().setHours(0, 0, 0, 0));
  const monday = addDays(today, -((today.getDay() + 6) % 7));
  const from = h("input", { id: "from", type: "date", value: inputDate(addDays(monday, -28)), required: true });
  const to = h("input", { id: "to", type: "date", value: inputDate(addDays(monday, 28)), required: true });
  const out = h("div", { id: "report" });
  const form = h("form", { class: "row", "aria-label": "Report period" },
    field("From", from), field("Until (exclusive)", to), h("button", { type: "submit" }, "Show report"));
  fill(ctx.main, h("h1", {}, "Utilisation"), form, out);
  document.title = "Utilisation · Caseledger";
  onPeriod(ctx, form, from, to, out, async (f, t, fresh) => {
    fill(out, h("p", { class: "loading" }, "Loading report…"));
    const res = await get("/reports/utilisation" + query({ from: f.toISOString(), to: t.toISOString() }));
    if (!fresh()) return;
    const weeks = res.weeks.sort((a, b) => a.week_start.localeCompare(b.week_start) || a.therapist_id.localeCompare(b.therapist_id));
    if (weeks.length === 0) {
      fill(out, h("p", { class: "empty" }, "No appointments in this period."));
      return;
    }
    const num = (v) => h("td", { class: "num" }, String(v));
    const hours = (m) => (m / 60).toFixed(1);
    fill(out, h("table", {},
      h("caption", {}, "Per week, therapist and service type. Hours are booked and delivered session time."),
      h("thead", {}, h("tr", {}, ["Week of", "Therapist", "Service type"].map((c) => h("th", { scope: "col" }, c)),
        ["Scheduled", "Completed", "No-show", "Cancelled", "Late cancelled", "Declined", "Booked h", "Delivered h", "Fees"].map((c) => h("th", { scope: "col", class: "num" }, c)))),
      h("tbody", {}, weeks.map((w) => h("tr", {},
        h("td", {}, calendarDate(w.week_start.slice(0, 10))),
        h("td", { class: "mono", title: w.therapist_id }, shortID(w.therapist_id)),
        h("td", { class: "mono", title: w.service_type_id }, shortID(w.service_type_id)),
        num(w.scheduled), num(w.completed), num(w.no_show), num(w.cancelled), num(w.late_cancelled), num(w.declined),
        num(hours(w.booked_minutes)), num(hours(w.delivered_minutes)),
        h("td", { class: "num" }, Object.entries(w.fees_minor || {}).map(([cur, v]) => money(v, cur)).join(", ") || "—"))))));
  });
}
