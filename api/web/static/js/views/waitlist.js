// The client's place on their practice's waiting list, in the portal: the entries they have (for
// an earlier time with their therapist), each of which they may leave, and, when they have none,
// joining. A client joins at the practice's default priority; the therapist sees waiting clients
// when a time comes free.

import { get, post } from "../api.js";
import { fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { dateTime } from "../format.js";

// waitlistSection fills box with the waiting list controls of client rec (the client record as
// read, with practice_id and therapist_id), reading the entries afresh; g is the render
// generation the portal was drawn in.
export async function waitlistSection(ctx, g, rec, box) {
  let entries;
  try {
    entries = (await get(`/clients/${rec.id}/waitlist`)).entries;
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
      return h("li", {}, h("p", {}, `You are on the waiting list for an earlier time${e.therapist_id ? " with your therapist" : ""}, since ${dateTime(e.joined_at)}.`),
        h("div", { class: "actions" }, leave));
    })), alert);
    return;
  }
  if (!rec.therapist_id) {
    fill(box, h("p", { class: "empty" }, "Please contact the practice to be put on the waiting list."));
    return;
  }
  const join = h("button", { type: "button", class: "secondary", id: "waitlist-join" }, "Join the waiting list");
  join.addEventListener("click", () => act(join, waitlist, { client_id: rec.id, therapist_id: rec.therapist_id }, "You are on the waiting list."));
  fill(box, h("p", { class: "hint" }, "If no time suits you, join the waiting list: your therapist sees who is waiting when a time comes free."), join, alert);
}
