// The client's place on their practice's waiting list, in the portal: the entries they have (for
// an earlier time with their therapist, perhaps for one service and at the hours they can come),
// each of which they may leave, and, when they have none, joining: a service or any, and the days
// and hours that suit them, or any time. A client joins at the practice's default priority; the
// therapist sees waiting clients whose hours fit when a time comes free.

import { get, post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { dateTime } from "../format.js";

// The days in the order a week is shown; weekday names as the API spells them.
const days = [["monday", "Mon"], ["tuesday", "Tue"], ["wednesday", "Wed"], ["thursday", "Thu"], ["friday", "Fri"], ["saturday", "Sat"], ["sunday", "Sun"]];
const dayNames = { monday: "Mondays", tuesday: "Tuesdays", wednesday: "Wednesdays", thursday: "Thursdays", friday: "Fridays", saturday: "Saturdays", sunday: "Sundays" };

// hoursText describes preferred weekly hours in words ("" when any time suits).
function hoursText(preferred) {
  if (!preferred?.length) return "";
  const order = days.map(([d]) => d);
  return preferred.slice().sort((a, b) => order.indexOf(a.weekday) - order.indexOf(b.weekday) || a.start.localeCompare(b.start))
    .map((r) => `${dayNames[r.weekday]} ${r.start}–${r.end}`).join(", ");
}

export async function waitlistSection(ctx, g, rec, box) {
  let entries, services;
  try {
    const [w, options] = await Promise.all([get(`/clients/${rec.id}/waitlist`), get(`/clients/${rec.id}/booking-options`)]);
    entries = w.entries;
    services = new Map((options.services || []).map((x) => [x.service_type_id, x.name]));
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const again = () => waitlistSection(ctx, g, rec, box);
  const alert = h("div", { role: "alert" });
  const act = async (button, path, body, message) => {
    button.disabled = true;
    try {
      await post(path, body);
      ctx.flash(message);
      await again();
    } catch (err) {
      button.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  };
  const waitlist = `/practices/${rec.practice_id}/waitlist`;
  if (entries.length > 0) {
    fill(box, h("ul", { id: "my-waitlist", class: "plain" }, entries.map((e) => {
      const leave = h("button", { type: "button", class: "secondary leave" }, "Leave the waiting list");
      leave.addEventListener("click", () => act(leave, `${waitlist}/${e.entry_id}/removal`, { reason: "withdrawn" }, "You have left the waiting list."));
      const service = e.service_type_id ? services.get(e.service_type_id) || "one service" : "";
      const hours = hoursText(e.preferred);
      return h("li", {}, h("p", {}, `You are on the waiting list for an earlier time${e.therapist_id ? " with your therapist" : ""}`,
        service ? `, for ${service.toLowerCase()}` : "", hours ? `, on ${hours}` : ", at any time", `, since ${dateTime(e.joined_at)}.`),
        h("div", { class: "actions" }, leave));
    })), alert);
    return;
  }
  if (!rec.therapist_id) {
    fill(box, h("p", { class: "empty" }, "Please contact the practice to be put on the waiting list."));
    return;
  }
  const service = h("select", { id: "waitlist-service" }, h("option", { value: "" }, "Any service"),
    [...services].map(([id, name]) => h("option", { value: id }, name)));
  const ticks = days.map(([d, label]) => {
    const c = h("input", { type: "checkbox", id: `waitlist-${d}`, value: d });
    return [c, h("span", { class: "check" }, c, h("label", { for: c.id }, label))];
  });
  const from = h("input", { type: "time", id: "waitlist-from", value: "09:00", step: 900 });
  const to = h("input", { type: "time", id: "waitlist-to", value: "17:00", step: 900 });
  const join = h("button", { type: "button", class: "secondary", id: "waitlist-join" }, "Join the waiting list");
  join.addEventListener("click", () => {
    const picked = ticks.filter(([c]) => c.checked).map(([c]) => c.value);
    if (picked.length && !(from.value && to.value && from.value < to.value)) {
      return fill(alert, h("p", { class: "error" }, "Choose a start time before the end time."));
    }
    const body = { client_id: rec.id, therapist_id: rec.therapist_id };
    if (service.value) body.service_type_id = service.value;
    if (picked.length) body.preferred = picked.map((weekday) => ({ weekday, start: from.value, end: to.value }));
    act(join, waitlist, body, "You are on the waiting list.");
  });
  fill(box, h("p", { class: "hint" }, "If no time suits you, join the waiting list: your therapist sees who is waiting when a time comes free."),
    services.size ? field("For", service) : null,
    h("fieldset", { class: "days" }, h("legend", {}, "The days you can come (none ticked: any day and time)"), ticks.map(([, el]) => el)),
    h("div", { class: "row" }, field("From", from), field("Until", to)),
    join, alert);
}
