// Booking in the client portal. The client picks one of the services they may book themselves
// and a week; the server lists their therapist's free times for that service's session length
// within the self-booking rules. Choosing a time holds it while the client confirms (the hold
// expires on its own); confirming books it with the hold, and choosing another time releases it.
// A time taken meanwhile is reported and the times are read again.

import { del, get, post, query } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { addDays, inputDate, localDay, longDate, time } from "../format.js";

const weekDays = 7;

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

  const today = new Date();
  const last = addDays(today, options.horizon_days);
  const service = h("select", { id: "book-service" }, options.services.map((s) =>
    h("option", { value: s.service_type_id }, `${s.name} (${s.minutes} minutes)`)));
  const from = h("input", { id: "book-from", type: "date", value: inputDate(today), min: inputDate(today), max: inputDate(last), required: true });
  const show = h("button", { type: "submit" }, "Show free times");
  const consentNote = h("div");
  const times = h("div", { id: "book-times", "aria-live": "polite" });
  const chosen = () => options.services.find((s) => s.service_type_id === service.value);
  const noteConsent = () => {
    const s = chosen();
    const unsigned = ["consent_missing", "consent_outdated", "consent_withdrawn"].includes(s.consent_status);
    fill(consentNote, unsigned
      ? h("p", { class: "notice" }, `Please read and sign the consent form for ${s.name.toLowerCase()} below before booking it.`) : null);
  };
  service.addEventListener("change", noteConsent);
  noteConsent();

  const search = async () => {
    const day = localDay(from.value);
    if (!day) {
      fill(times, h("p", { class: "error", role: "alert" }, "Choose a date."));
      from.focus();
      return;
    }
    const s = chosen();
    const start = new Date(Math.max(day.getTime(), Date.now()));
    const end = new Date(Math.min(addDays(day, weekDays).getTime(), last.getTime()));
    fill(times, h("p", { class: "loading" }, "Looking for free times…"));
    show.disabled = true;
    try {
      const res = await get(`/calendars/${options.therapist_id}/slots` + query({
        from: start.toISOString(), to: end.toISOString(), length_minutes: s.minutes, service_type_id: s.service_type_id,
      }));
      if (ctx.current(g)) fill(times, slotList(res.slots, (slot) => hold(slot, s)));
    } catch (err) {
      if (ctx.current(g)) fill(times, errorBox(err));
    } finally {
      show.disabled = false;
    }
  };

  // hold holds slot for service s and asks the client to confirm.
  const hold = async (slot, s) => {
    let held;
    try {
      held = await post(`/calendars/${options.therapist_id}/holds`, { service_type_id: s.service_type_id, start: slot.start, duration_minutes: s.minutes });
    } catch (err) {
      if (!ctx.current(g)) return;
      if (err.code === "slot_taken") {
        ctx.flash("That time has just been taken. Here are the times still free.");
        await search();
      } else {
        fill(times, errorBox(err));
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
      await search();
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
        fill(times);
        onBooked();
      } catch (err) {
        book.disabled = false;
        fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
      }
    });
    fill(times, confirm);
    book.focus();
  };

  const form = h("form", { class: "row", "aria-label": "Find a time", novalidate: true },
    field("Service", service), field("Week from", from), show);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  fill(box, consentNote, form, times);
}

// slotList lists free slots by day, each a button that calls choose(slot).
function slotList(slots, choose) {
  if (slots.length === 0) return h("p", { class: "empty" }, "No free times that week. Try a later week.");
  const days = new Map();
  for (const s of slots) {
    const key = inputDate(new Date(s.start));
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(s);
  }
  return h("div", { class: "slots" }, [...days.values()].map((day) => h("section", {},
    h("h3", {}, longDate(new Date(day[0].start))),
    h("div", { class: "actions" }, day.map((s) => {
      const b = h("button", { type: "button", class: "secondary slot", "data-start": s.start }, time(s.start));
      b.addEventListener("click", () => choose(s));
      return b;
    })))));
}
