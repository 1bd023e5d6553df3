// The therapist's day view: appointments of one local day from the appointments read model,
// with each client's name from the caseload (both decrypted by the API).

import { get, query } from "../api.js";
import { field, fill, h, link } from "../dom.js";
import { errorBox } from "../messages.js";
import { addDays, dateTime, fullName, humanize, inputDate, localDay, longDate, time } from "../format.js";
import { appointmentActions } from "./appointment_actions.js";

export function todayView(ctx) {
  let latest = 0; // only the newest load may paint
  const day = h("input", { id: "day", type: "date", value: inputDate(new Date()) });
  const list = h("div", { id: "day-list", "aria-live": "polite" });
  const title = h("h1", { id: "day-title" });
  fill(ctx.main, title,
    h("form", { class: "row", role: "search", "aria-label": "Choose a day" }, field("Day", day)),
    list);
  document.title = "Today · Caseledger";
  day.addEventListener("change", load);
  load();

  async function load() {
    const g = ctx.generation;
    const n = ++latest;
    const d = localDay(day.value) || new Date(new Date().setHours(0, 0, 0, 0));
    title.textContent = inputDate(d) === inputDate(new Date()) ? `Today, ${longDate(d)}` : longDate(d);
    fill(list, h("p", { class: "loading" }, "Loading appointments…"));
    try {
      const range = { from: d.toISOString(), to: addDays(d, 1).toISOString() };
      const [appts, clients] = await Promise.all([get("/appointments" + query(range)), get("/clients")]);
      if (!ctx.current(g) || n !== latest) return;
      const names = new Map(clients.clients.map((c) => [c.id, fullName(c.details)]));
      const rows = appts.appointments.sort((a, b) => a.start.localeCompare(b.start));
      if (rows.length === 0) {
        fill(list, h("p", { class: "empty" }, "No appointments on this day."));
        return;
      }
      fill(list, h("ul", { class: "plain appointments", "aria-label": "Appointments" }, rows.map((a) => {
        const tag = h("span", { class: a.status === "booked" ? "tag" : "tag warn" }, humanize(a.status));
        return h("li", { "data-appointment": a.id },
          h("span", {}, h("time", { datetime: a.start, title: dateTime(a.start) }, time(a.start)), "–", h("time", { datetime: a.end }, time(a.end))),
          h("span", {}, link(`/app/clients/${a.client_id}`, names.get(a.client_id) || "Client record"),
            a.location ? h("span", { class: "hint" }, ` · ${a.location}`) : null,
            a.video_link ? h("span", { class: "hint" }, " · video") : null,
            appointmentActions(ctx, a, tag)),
          tag);
      })));
    } catch (err) {
      if (ctx.current(g) && n === latest) fill(list, errorBox(err));
    }
  }
}
