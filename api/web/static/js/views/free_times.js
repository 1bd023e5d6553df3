// Finding a free time on a therapist's calendar, for a client in the portal or for the therapist
// booking from a record: a week from a chosen day, the free times the server offers for a
// service's session length (for a client, within the therapist's self-booking rules), listed by
// day; the user picks one.

import { get, query } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { addDays, inputDate, localDay, longDate, time } from "../format.js";

const weekDays = 7;

// freeTimes returns {form, times, search}: a form (extra fields first, then the week's first day
// and a button) and the element it lists free times in, each a button calling choose(slot);
// search lists them again. service() is the {service_type_id, minutes} to search for; idPrefix
// keeps the form's ids unique on the page, and label names the form.
export function freeTimes(ctx, g, { therapistID, horizonDays, service, fields = [], idPrefix, label = "Find a time", choose }) {
  const today = new Date();
  const last = addDays(today, horizonDays);
  const from = h("input", { id: `${idPrefix}-from`, type: "date", value: inputDate(today), min: inputDate(today), max: inputDate(last), required: true });
  const show = h("button", { type: "submit" }, "Show free times");
  const times = h("div", { id: `${idPrefix}-times`, "aria-live": "polite" });

  const search = async () => {
    const day = localDay(from.value);
    if (!day) {
      fill(times, h("p", { class: "error", role: "alert" }, "Choose a date."));
      from.focus();
      return;
    }
    const s = service();
    const start = new Date(Math.max(day.getTime(), Date.now()));
    const end = new Date(Math.min(addDays(day, weekDays).getTime(), last.getTime()));
    fill(times, h("p", { class: "loading" }, "Looking for free times…"));
    show.disabled = true;
    try {
      const res = await get(`/calendars/${therapistID}/slots` + query({
        from: start.toISOString(), to: end.toISOString(), length_minutes: s.minutes, service_type_id: s.service_type_id,
      }));
      if (ctx.current(g)) fill(times, slotList(res.slots, choose));
    } catch (err) {
      if (ctx.current(g)) fill(times, errorBox(err));
    } finally {
      show.disabled = false;
    }
  };

  const form = h("form", { class: "row", "aria-label": label, novalidate: true }, fields, field("Week from", from), show);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  return { form, times, search };
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

// refusedTime shows why booking or moving to a chosen time failed: a time taken meanwhile is said
// in the status line and the week is listed again; anything else shows in alert, and button can be
// pressed again.
export async function refusedTime(ctx, err, picker, button, alert) {
  if (err.code === "slot_taken") {
    ctx.flash(describe(err));
    await picker.search();
    return;
  }
  button.disabled = false;
  fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
}
