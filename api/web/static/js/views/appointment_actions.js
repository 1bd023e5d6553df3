// What a therapist can do with one appointment in the day view: record attendance (once it has
// started) or cancel it with a reason. A command's success is shown at once; the read model that
// lists appointments catches up on its own.

import { post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";
import { humanize } from "../format.js";

// appointmentActions returns the controls for appointment a; statusTag is the element showing
// its status, updated when a command succeeds.
export function appointmentActions(ctx, a, statusTag) {
  const box = h("div", { class: "actions" });
  const alert = h("div", { role: "alert" });
  if (a.status !== "booked") return box;

  const done = (status, message) => {
    statusTag.textContent = humanize(status);
    statusTag.className = "tag";
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
  if (new Date(a.start) <= new Date()) {
    const attended = h("button", { type: "button", class: "secondary" }, "Attended");
    attended.addEventListener("click", () => run(attended, "completion", undefined, "completed", "Attendance recorded."));
    const noShow = h("button", { type: "button", class: "secondary" }, "No-show");
    noShow.addEventListener("click", () => run(noShow, "no-show", undefined, "no_show", "No-show recorded."));
    buttons.push(attended, noShow);
  }
  const cancel = h("button", { type: "button", class: "secondary cancel" }, "Cancel…");
  buttons.push(cancel);
  cancel.addEventListener("click", () => {
    const reason = h("input", { id: `reason-${a.id}`, required: true, maxlength: 2000 });
    const confirm = h("button", { type: "submit" }, "Cancel appointment");
    const keep = h("button", { type: "button", class: "secondary" }, "Keep it");
    const form = h("form", { class: "row", novalidate: true }, field("Reason for cancelling", reason), confirm, keep);
    keep.addEventListener("click", () => {
      fill(box, buttons, alert);
      cancel.focus();
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        fill(alert, h("p", { class: "error" }, "Give a reason for cancelling."));
        reason.focus();
        return;
      }
      run(confirm, "cancellation", { reason: reason.value.trim() }, (res) => (res?.late ? "late_cancelled" : "cancelled"), "Appointment cancelled.");
    });
    fill(box, form, alert);
    reason.focus();
  });
  fill(box, buttons, alert);
  return box;
}
