// What a therapist can do with one appointment in the day view: approve, or decline with a reason,
// a client's first self-booking that waits for approval; record attendance (once it has started),
// move to another free time of her calendar (before it starts: same service and length), or cancel
// with a reason a booked one. A command's success is shown at once; the read model that lists
// appointments catches up on its own.

import { post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";
import { humanize, longDate, time } from "../format.js";
import { freeTimes, refusedTime } from "./free_times.js";

// How far ahead the therapist may move a session.
const moveHorizonDays = 366;

// appointmentActions returns the controls for appointment a; statusTag is the element showing
// its status, updated when a command succeeds.
export function appointmentActions(ctx, a, statusTag) {
  const box = h("div", { class: "actions" });
  const alert = h("div", { role: "alert" });
  if (a.status !== "booked" && a.status !== "pending_approval") return box;

  const done = (status, message) => {
    statusTag.textContent = humanize(status);
    statusTag.className = status === "booked" ? "tag" : "tag warn";
    fill(box, alert);
    fill(alert);
    ctx.flash(message);
  };
  const run = async (button, path, body, status, message) => {
    button.disabled = true;
    try {
      const res = await post(`/appointments/${a.id}/${path}`, body);
      done(typeof status === "function" ? status(res) : status, message);
    } catch (err) {
      button.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  };
  const buttons = [];
  // withReason makes trigger open a form asking for a reason (required: missing is the message
  // when it is blank) and then running path; "Keep it" goes back to the buttons.
  const withReason = (trigger, label, missing, submit, path, status, message) => {
    trigger.addEventListener("click", () => {
      const reason = h("input", { id: `reason-${a.id}`, required: true, maxlength: 2000 });
      const confirm = h("button", { type: "submit" }, submit);
      const keep = h("button", { type: "button", class: "secondary" }, "Keep it");
      const form = h("form", { class: "row", novalidate: true }, field(label, reason), confirm, keep);
      keep.addEventListener("click", () => {
        fill(box, buttons, alert);
        trigger.focus();
      });
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        if (!reason.value.trim()) {
          fill(alert, h("p", { class: "error" }, missing));
          reason.focus();
          return;
        }
        run(confirm, path, { reason: reason.value.trim() }, status, message);
      });
      fill(box, form, alert);
      reason.focus();
    });
  };

  if (a.status === "pending_approval") {
    const approve = h("button", { type: "button", class: "secondary approve" }, "Approve");
    approve.addEventListener("click", () => run(approve, "approval", undefined, "booked", "Appointment approved."));
    const decline = h("button", { type: "button", class: "secondary decline" }, "Decline…");
    withReason(decline, "Reason for declining", "Give a reason for declining.", "Decline request", "decline", "declined", "Request declined.");
    buttons.push(approve, decline);
  } else {
    if (new Date(a.start) <= new Date()) {
      const attended = h("button", { type: "button", class: "secondary" }, "Attended");
      attended.addEventListener("click", () => run(attended, "completion", undefined, "completed", "Attendance recorded."));
      const noShow = h("button", { type: "button", class: "secondary" }, "No-show");
      noShow.addEventListener("click", () => run(noShow, "no-show", undefined, "no_show", "No-show recorded."));
      buttons.push(attended, noShow);
    }
    if (new Date(a.start) > new Date()) {
      const move = h("button", { type: "button", class: "secondary move" }, "Move…");
      move.addEventListener("click", () => moveForm(ctx, a, box, alert, () => { fill(box, buttons, alert); move.focus(); }, (slot) => {
        statusTag.textContent = `moved to ${longDate(new Date(slot.start))}, ${time(slot.start)}`;
        statusTag.className = "tag";
        fill(box, alert);
        fill(alert);
      }));
      buttons.push(move);
    }
    const cancel = h("button", { type: "button", class: "secondary cancel" }, "Cancel…");
    withReason(cancel, "Reason for cancelling", "Give a reason for cancelling.", "Cancel appointment", "cancellation",
      (res) => (res?.late ? "late_cancelled" : "cancelled"), "Appointment cancelled.");
    buttons.push(cancel);
  }
  fill(box, buttons, alert);
  return box;
}

// moveForm shows, in box, the free times of a's therapist for a's service and length, and moves a
// to the one confirmed; keep goes back to the buttons, moved(slot) runs after the move.
function moveForm(ctx, a, box, alert, keep, moved) {
  const g = ctx.generation;
  const minutes = Math.round((new Date(a.end) - new Date(a.start)) / 60000);
  const back = h("button", { type: "button", class: "secondary" }, "Keep this time");
  back.addEventListener("click", keep);
  const confirmMove = (slot) => {
    const confirm = h("button", { type: "submit", class: "confirm-move" }, "Move the session");
    const form = h("form", { "aria-label": "Confirm the move", novalidate: true },
      h("p", {}, `Move to ${longDate(new Date(slot.start))} at ${time(slot.start)}?`), h("div", { class: "row" }, confirm), alert);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      confirm.disabled = true;
      try {
        await post(`/appointments/${a.id}/reschedule`, { start: slot.start, duration_minutes: minutes });
        if (!ctx.current(g)) return;
        ctx.flash(`Session moved to ${longDate(new Date(slot.start))} at ${time(slot.start)}.`);
        moved(slot);
      } catch (err) {
        if (ctx.current(g)) await refusedTime(ctx, err, picker, confirm, alert);
      }
    });
    fill(picker.times, form);
    confirm.focus();
  };
  const picker = freeTimes(ctx, g, {
    therapistID: a.therapist_id, horizonDays: moveHorizonDays, service: () => ({ service_type_id: a.service_type_id, minutes }),
    idPrefix: `move-${a.id}`, label: "Find a new time", choose: confirmMove,
  });
  fill(box, picker.form, picker.times, back, alert);
  picker.search();
}
