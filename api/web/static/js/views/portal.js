// The client portal: the signed-in client's own record (a client's portal account has the
// client's id), upcoming appointments (which they may move or cancel), booking, the waiting list,
// consent forms to read and sign, and their data (download a copy, ask for erasure and follow the
// decision). The server reads appointments, booking options and consent forms for a client from
// the event log and records each read in the client's access log, like any other record read.

import { get, post, query } from "../api.js";
import { fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { dateTime, fullName, humanize, longDate, money, time } from "../format.js";
import { detailsList } from "./details.js";
import { consentFormsSection } from "./consent_forms.js";
import { bookingSection } from "./booking.js";
import { ownDataSection } from "./own_data.js";
import { freeTimes } from "./free_times.js";
import { waitlistSection } from "./waitlist.js";

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
  const booking = h("div", {}, h("p", { class: "loading" }, "Loading booking…"));
  const data = h("div", {}, h("p", { class: "loading" }, "Loading your requests…"));
  const waiting = h("div", {}, h("p", { class: "loading" }, "Loading the waiting list…"));
  fill(ctx.main,
    h("h1", {}, "My record"),
    h("p", { id: "client-name", class: "lead" }, fullName(rec.details)),
    h("section", { class: "panel", "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Your details"), detailsList(rec.details),
      h("p", { class: "hint" }, "If something here is wrong, ask your therapist or the practice to correct it.")),
    h("section", { class: "panel", "aria-labelledby": "appointments-title" }, h("h2", { id: "appointments-title" }, "Your upcoming appointments"), appointments),
    h("section", { class: "panel", "aria-labelledby": "booking-title" }, h("h2", { id: "booking-title" }, "Book an appointment"), booking),
    h("section", { class: "panel", "aria-labelledby": "waitlist-title" }, h("h2", { id: "waitlist-title" }, "Waiting list"), waiting),
    h("section", { class: "panel", "aria-labelledby": "consents-title" }, h("h2", { id: "consents-title" }, "Your consent forms"), consents),
    h("section", { class: "panel", "aria-labelledby": "data-title" }, h("h2", { id: "data-title" }, "Your data"), data));
  const showAppointments = () => appointmentsSection(ctx, g, id, appointments);
  await Promise.all([
    showAppointments(),
    bookingSection(ctx, g, id, booking, showAppointments),
    consentFormsSection(ctx, g, id, consents),
    ownDataSection(ctx, g, id, data),
    waitlistSection(ctx, g, rec, waiting),
  ]);
}

// appointmentsSection fills box with the client's upcoming appointments, read afresh.
async function appointmentsSection(ctx, g, clientID, box) {
  try {
    const a = await get(`/clients/${clientID}/appointments`);
    if (ctx.current(g)) fill(box, appointmentTable(ctx, a.appointments, () => appointmentsSection(ctx, g, clientID, box)));
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
  }
}

// appointmentTable lists the client's own appointments, soonest first (the server orders them);
// changed is called after the client cancels one.
function appointmentTable(ctx, appts, changed) {
  if (appts.length === 0) return h("p", { class: "empty" }, "No upcoming appointments.");
  return h("table", { id: "my-appointments" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Where"),
      h("th", { scope: "col" }, "Fee"), h("th", { scope: "col" }, h("span", { class: "skip-text" }, "Actions")))),
    h("tbody", {}, appts.map((x) => {
      const row = h("tr", { "data-appointment": x.id },
        h("td", {}, dateTime(x.start)),
        h("td", {}, humanize(x.status)),
        h("td", {}, place(x)),
        h("td", { class: "num" }, x.fee_currency ? money(x.fee_minor, x.fee_currency) : ""));
      row.append(h("td", {}, cancellable(x) ? h("div", { class: "actions" }, moveControl(ctx, x, row, changed), cancelControl(ctx, x, changed)) : null));
      return row;
    })));
}

// moveControl is a Move button that finds another free time for appointment x (same service and
// length), in a full-width row under x's row, and moves it there.
function moveControl(ctx, x, row, changed) {
  const open = h("button", { type: "button", class: "secondary move" }, "Move…");
  const panel = h("td", { colspan: 5 });
  const panelRow = h("tr", { class: "move-row", "data-move": x.id }, panel);
  open.addEventListener("click", () => {
    const g = ctx.generation;
    const minutes = Math.round((new Date(x.end) - new Date(x.start)) / 60000);
    const keep = h("button", { type: "button", class: "secondary" }, "Keep this time");
    keep.addEventListener("click", () => {
      panelRow.remove();
      open.disabled = false;
      open.focus();
    });
    const move = async (slot) => {
      const alert = h("div", { role: "alert" });
      const confirm = h("button", { type: "submit" }, "Move appointment");
      const form = h("form", { "aria-label": "Confirm move" },
        h("p", {}, `Move to ${longDate(new Date(slot.start))} at ${time(slot.start)}?`), h("div", { class: "row" }, confirm, keep), alert);
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        confirm.disabled = true;
        try {
          await post(`/appointments/${x.id}/reschedule`, { start: slot.start, duration_minutes: minutes });
          ctx.flash(`Appointment moved to ${longDate(new Date(slot.start))} at ${time(slot.start)}.`);
          changed();
        } catch (err) {
          confirm.disabled = false;
          fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
        }
      });
      fill(picker.times, form);
      confirm.focus();
    };
    const picker = freeTimes(ctx, g, {
      therapistID: x.therapist_id, horizonDays: maxMoveDays, service: () => ({ service_type_id: x.service_type_id, minutes }),
      idPrefix: `move-${x.id}`, label: "Find a new time", choose: move,
    });
    fill(panel, h("h3", {}, `Move your appointment of ${dateTime(x.start)}`), picker.form, picker.times, keep);
    row.after(panelRow);
    open.disabled = true;
    picker.search();
  });
  return open;
}

// maxMoveDays is how far ahead the move picker offers days; the therapist's self-booking horizon,
// which the server applies, is usually shorter.
const maxMoveDays = 366;

// cancellable reports whether the client may still cancel appointment x: booked or awaiting
// approval, and not yet started.
function cancellable(x) {
  return (x.status === "booked" || x.status === "pending_approval") && new Date(x.start) > new Date();
}

// cancelControl is a Cancel button that asks for an optional reason, warns that a late
// cancellation may be charged, and cancels.
function cancelControl(ctx, x, changed) {
  const box = h("div", { class: "actions" });
  const open = h("button", { type: "button", class: "secondary cancel" }, "Cancel…");
  open.addEventListener("click", () => {
    const reason = h("input", { id: `reason-${x.id}`, maxlength: 2000, "aria-label": "Reason (optional)", placeholder: "Reason (optional)" });
    const confirm = h("button", { type: "submit" }, "Cancel appointment");
    const keep = h("button", { type: "button", class: "secondary" }, "Keep it");
    const alert = h("div", { role: "alert" });
    const form = h("form", { class: "row", novalidate: true, "aria-label": "Cancel appointment" },
      reason, confirm, keep,
      h("p", { class: "hint" }, "Cancelling shortly before the appointment may be charged under the practice's cancellation policy."), alert);
    keep.addEventListener("click", () => {
      fill(box, open);
      open.focus();
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      confirm.disabled = true;
      try {
        const res = await post(`/appointments/${x.id}/cancellation`, { reason: reason.value.trim() });
        ctx.flash(res?.late && res.fee
          ? `Appointment cancelled. As it was cancelled late, a fee of ${money(res.fee.amount_minor, res.fee.currency)} applies.`
          : "Appointment cancelled.");
        changed();
      } catch (err) {
        confirm.disabled = false;
        fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
      }
    });
    fill(box, form);
    reason.focus();
  });
  return fill(box, open);
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
