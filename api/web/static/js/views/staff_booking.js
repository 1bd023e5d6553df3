// Booking a session for a client from their record, by the therapist who holds it: a service of
// the practice (its session length, or a length the therapist sets when the service has none),
// where it takes place, a week's free times on the therapist's own calendar, then a confirmation,
// once or as a weekly or fortnightly series (all of it or none).
// The server checks the calendar again when it books; a time taken meanwhile is refused and the
// week is listed afresh. A consent the practice's rule only warns about is booked with the warning
// shown.

import { get, post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { errorBox } from "../messages.js";
import { longDate, time } from "../format.js";
import { freeTimes, refusedTime } from "./free_times.js";

// How far ahead a therapist looks for free times, and the length offered for a service that has
// none.
const horizonDays = 120;
const defaultMinutes = 50;

// staffBookingSection returns the booking panel for client record rec, filled once the
// practice's service types have loaded; g is the render generation of the record.
export function staffBookingSection(ctx, g, rec) {
  const box = h("div", {}, h("p", { class: "loading" }, "Loading the services…"));
  const section = h("section", { class: "panel", "aria-labelledby": "book-title" }, h("h2", { id: "book-title" }, "Book a session"), box);
  offerServices(ctx, g, rec, box);
  return section;
}

// offerServices fills box with the booking form once the practice's service types are read.
async function offerServices(ctx, g, rec, box) {
  let services;
  try {
    services = (await get(`/practices/${rec.practice_id}/service-types`)).service_types;
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  if (services.length === 0) {
    fill(box, h("p", { class: "empty" }, "The practice has no service types yet: an admin adds them."));
    return;
  }
  const service = h("select", { id: "staff-book-service" }, services.map((s) =>
    h("option", { value: s.id }, s.minutes ? `${s.name} (${s.minutes} minutes)` : s.name)));
  const length = h("input", { type: "number", id: "staff-book-minutes", min: 5, max: 480, step: 5, value: defaultMinutes });
  const lengthField = field("Length (minutes)", length);
  const location = h("input", { id: "staff-book-location", maxlength: 200, placeholder: "for example: Room 3" });
  const video = h("input", { id: "staff-book-video", type: "url", maxlength: 500, placeholder: "the meeting's address" });
  const chosen = () => {
    const s = services.find((x) => x.id === service.value);
    return { service_type_id: s.id, name: s.name, minutes: s.minutes || Number(length.value) || defaultMinutes };
  };
  const showLength = () => { lengthField.hidden = !!services.find((x) => x.id === service.value).minutes; };
  service.addEventListener("change", showLength);
  showLength();

  const confirm = (slot) => {
    const s = chosen();
    const book = h("button", { type: "submit", id: "staff-book-confirm" }, "Book this session");
    const back = h("button", { type: "button", class: "secondary" }, "Choose another time");
    const alert = h("div", { role: "alert" });
    const where = [location.value.trim(), video.value.trim() ? "by video" : ""].filter(Boolean).join(", ");
    // A weekly or fortnightly series from this time: all or nothing (series_conflict names every
    // occurrence that does not fit).
    const repeat = h("select", { id: "staff-book-repeat" },
      h("option", { value: "0" }, "Once"), h("option", { value: "1" }, "Every week"), h("option", { value: "2" }, "Every two weeks"));
    const count = h("input", { type: "number", id: "staff-book-count", min: 2, max: 52, value: 6 });
    const countField = field("Sessions in all", count);
    const showCount = () => {
      countField.hidden = repeat.value === "0";
      book.textContent = repeat.value === "0" ? "Book this session" : "Book the sessions";
    };
    repeat.addEventListener("change", showCount);
    showCount();
    const form = h("form", { class: "panel", "aria-label": "Confirm the session" },
      h("p", {}, h("strong", {}, s.name), ` on ${longDate(new Date(slot.start))}, ${time(slot.start)} to ${time(slot.end)}`, where ? ` (${where})` : "", "."),
      h("div", { class: "row" }, field("Repeat", repeat), countField),
      h("div", { class: "row" }, book, back), alert);
    back.addEventListener("click", () => picker.search());
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      book.disabled = true;
      const body = { therapist_id: ctx.me.user_id, client_id: rec.id, service_type_id: s.service_type_id, start: slot.start, duration_minutes: s.minutes };
      if (location.value.trim()) body.location = location.value.trim();
      if (video.value.trim()) body.video_link = video.value.trim();
      const weeks = Number(repeat.value);
      const n = Number(count.value);
      if (weeks > 0 && !(Number.isInteger(n) && n >= 2 && n <= 52)) {
        book.disabled = false;
        return fill(alert, h("p", { class: "error" }, "A series has 2 to 52 sessions."));
      }
      try {
        const res = weeks === 0 ? await post("/appointments", body)
          : await post("/appointment-series", { ...body, rule: `FREQ=WEEKLY;INTERVAL=${weeks};COUNT=${n}` });
        if (!ctx.current(g)) return;
        const when = `${s.name.toLowerCase()} on ${longDate(new Date(slot.start))} at ${time(slot.start)}`;
        ctx.flash((weeks === 0 ? `Booked: ${when}.` : `Booked ${res.appointments.length} sessions from ${when}, every ${weeks === 1 ? "week" : "two weeks"}.`) +
          (res?.consent_warning ? ` Note: ${res.consent_warning}` : ""));
        await picker.search();
      } catch (err) {
        if (ctx.current(g)) await refusedTime(ctx, err, picker, book, alert);
      }
    });
    fill(picker.times, form);
    book.focus();
  };

  const picker = freeTimes(ctx, g, {
    therapistID: ctx.me.user_id, horizonDays, service: chosen, idPrefix: "staff-book", label: "Find a time for the session",
    fields: [field("Service", service), lengthField, field("Room or address", location), field("Video link", video)], choose: confirm,
  });
  fill(box, picker.form, picker.times);
}
