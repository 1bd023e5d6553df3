// Booking in the client portal. The client picks one of the services they may book themselves
// and finds a free time (freeTimes). Choosing a time holds it while the client confirms (the hold
// expires on its own); confirming books it with the hold, and choosing another time releases it.
// A time taken meanwhile is reported and the times are read again.

import { del, get, post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { longDate, time } from "../format.js";
import { freeTimes } from "./free_times.js";

// bookingSection fills box with the booking controls for client clientID; onBooked is called
// after a booking so that the portal can show it.
export async function bookingSection(ctx, g, clientID, box, onBooked) {
  let options;
  try {
    options = await get(`/clients/${clientID}/booking-options`);
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  if (!options.enabled || options.services.length === 0) {
    fill(box, h("p", { class: "empty" }, "Your therapist does not take bookings through this portal. Please contact the practice to book."));
    return;
  }

  const service = h("select", { id: "book-service" }, options.services.map((s) =>
    h("option", { value: s.service_type_id }, `${s.name} (${s.minutes} minutes)`)));
  const chosen = () => options.services.find((s) => s.service_type_id === service.value);
  const consentNote = h("div");
  const noteConsent = () => {
    const s = chosen();
    const unsigned = ["consent_missing", "consent_outdated", "consent_withdrawn"].includes(s.consent_status);
    fill(consentNote, unsigned
      ? h("p", { class: "notice" }, `Please read and sign the consent form for ${s.name.toLowerCase()} below before booking it.`) : null);
  };
  service.addEventListener("change", noteConsent);
  noteConsent();

  // hold holds slot for the chosen service and asks the client to confirm.
  const hold = async (slot) => {
    const s = chosen();
    let held;
    try {
      held = await post(`/calendars/${options.therapist_id}/holds`, { service_type_id: s.service_type_id, start: slot.start, duration_minutes: s.minutes });
    } catch (err) {
      if (!ctx.current(g)) return;
      if (err.code === "slot_taken") {
        ctx.flash(describe(err));
        await picker.search();
      } else {
        fill(picker.times, errorBox(err));
      }
      return;
    }
    if (!ctx.current(g)) return;
    const book = h("button", { type: "submit", id: "book-confirm" }, "Book this appointment");
    const back = h("button", { type: "button", class: "secondary" }, "Choose another time");
    const alert = h("div", { role: "alert" });
    const confirm = h("form", { class: "panel", "aria-label": "Confirm booking" },
      h("p", {}, h("strong", {}, s.name), ` on ${longDate(new Date(slot.start))}, ${time(slot.start)} to ${time(slot.end)}.`),
      h("p", { class: "hint" }, `This time is held for you until ${time(held.expires_at)}.`),
      options.needs_approval ? h("p", { class: "hint" }, "As this is your first appointment, your therapist will confirm it.") : null,
      h("div", { class: "row" }, book, back), alert);
    back.addEventListener("click", async () => {
      back.disabled = true;
      try {
        await del(`/calendars/${options.therapist_id}/holds/${held.hold_id}`);
      } catch {
        // The hold expires on its own.
      }
      await picker.search();
    });
    confirm.addEventListener("submit", async (e) => {
      e.preventDefault();
      book.disabled = true;
      try {
        const res = await post("/appointments", {
          therapist_id: options.therapist_id, client_id: clientID, service_type_id: s.service_type_id,
          start: slot.start, duration_minutes: s.minutes, hold_id: held.hold_id,
        });
        ctx.flash(res?.pending_approval
          ? `Requested: ${s.name.toLowerCase()} on ${longDate(new Date(slot.start))} at ${time(slot.start)}. Your therapist will confirm it.`
          : `Booked: ${s.name.toLowerCase()} on ${longDate(new Date(slot.start))} at ${time(slot.start)}.`);
        fill(picker.times);
        onBooked();
      } catch (err) {
        book.disabled = false;
        fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
      }
    });
    fill(picker.times, confirm);
    book.focus();
  };

  const picker = freeTimes(ctx, g, {
    therapistID: options.therapist_id, horizonDays: options.horizon_days, service: chosen,
    fields: [field("Service", service)], idPrefix: "book", choose: hold,
  });
  fill(box, consentNote, picker.form, picker.times);
}
