// The client's rights over their data in the portal: download a machine-readable copy to take
// to another provider (UK GDPR Art. 20; the download is recorded in their access log), and ask
// for erasure (Art. 17), which the practice's data protection officer decides: health records may
// have to be kept for their retention period.

import { post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe } from "../messages.js";
import { shortID } from "../format.js";

// ownDataSection returns the section's content for client clientID.
export function ownDataSection(ctx, clientID) {
  const download = h("p", {},
    h("a", { id: "export-link", href: `/api/v1/clients/${clientID}/export`, download: `my-record-${shortID(clientID)}.json` }, "Download a copy of your data"),
    h("span", { class: "hint" }, " (JSON, to keep or to take to another provider)"));
  const box = h("div");
  const ask = h("button", { type: "button", class: "secondary", id: "erasure-start" }, "Ask for your data to be erased…");
  ask.addEventListener("click", () => {
    const grounds = h("textarea", { id: "erasure-grounds", maxlength: 4000 });
    const send = h("button", { type: "submit" }, "Send the request");
    const keep = h("button", { type: "button", class: "secondary" }, "Keep my data");
    const alert = h("div", { role: "alert" });
    const form = h("form", { novalidate: true, "aria-label": "Ask for erasure" },
      h("p", { class: "notice" }, "The practice's data protection officer will decide within one month. Therapy records may have to be kept for a legal retention period; if so, you will be told why and until when."),
      field("Why you are asking (optional)", grounds),
      h("div", { class: "row" }, send, keep), alert);
    keep.addEventListener("click", () => {
      fill(box, ask);
      ask.focus();
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      send.disabled = true;
      try {
        const res = await post(`/clients/${clientID}/erasure-requests`, { grounds: grounds.value.trim() });
        fill(box, h("p", { id: "erasure-sent" }, `Your request was sent to the data protection officer (reference ${shortID(res.id)}).`));
        ctx.flash("Erasure request sent.");
      } catch (err) {
        send.disabled = false;
        fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
      }
    });
    fill(box, form);
    grounds.focus();
  });
  fill(box, ask);
  return [download, box];
}
