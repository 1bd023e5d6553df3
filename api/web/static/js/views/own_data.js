// The client's rights over their data in the portal: download a machine-readable copy to take
// to another provider (UK GDPR Art. 20; the download is recorded in their access log), ask for
// erasure (Art. 17), and follow what the practice's data protection officer decided: health
// records may have to be kept, under an Art. 17(3) exemption or until the end of retention.

import { get, post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { calendarDate, dateTime, shortID } from "../format.js";

// Art. 17(3) exemptions, in words.
const exemptions = {
  freedom_of_expression: "freedom of expression and information",
  legal_obligation: "a legal obligation to keep the records",
  public_health: "reasons of public health and the provision of care",
  archiving_research: "archiving, research or statistics",
  legal_claims: "the establishment, exercise or defence of legal claims",
};

// ownDataSection fills box with the section's content for client clientID, reading their erasure
// requests; g is the render generation the portal was drawn in.
export async function ownDataSection(ctx, g, clientID, box) {
  let requests;
  try {
    requests = (await get(`/clients/${clientID}/erasure-requests`)).requests;
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const download = h("p", {},
    h("a", { id: "export-link", href: `/api/v1/clients/${clientID}/export`, download: `my-record-${shortID(clientID)}.json` }, "Download a copy of your data"),
    h("span", { class: "hint" }, " (JSON, to keep or to take to another provider)"));
  const open = requests.some((r) => r.status === "open");
  fill(box, download,
    requests.length ? h("ul", { id: "erasure-requests", class: "plain" }, requests.map((r) => h("li", {}, describeRequest(r)))) : null,
    open ? null : askForErasure(ctx, clientID, () => ownDataSection(ctx, g, clientID, box)));
}

// describeRequest says where erasure request r stands, in words.
function describeRequest(r) {
  const asked = `You asked for erasure on ${dateTime(r.requested_at)}`;
  switch (r.status) {
    case "open": {
      const due = new Date(r.requested_at);
      due.setMonth(due.getMonth() + 1);
      return `${asked}. The data protection officer will decide by ${dateTime(due.toISOString())}.`;
    }
    case "refused":
      return `${asked}. On ${dateTime(r.decided_at)} the data protection officer refused it, as the law allows for ${exemptions[r.exemption] || r.exemption}` +
        (r.explanation ? `: ${r.explanation}` : ".");
    case "deferred":
      return `${asked}. On ${dateTime(r.decided_at)} the data protection officer deferred it: your records must be kept until ${calendarDate(r.until.slice(0, 10))}, and will be erased then.`;
    default:
      return `${asked}: ${r.status}.`;
  }
}

// askForErasure is a button that opens the erasure request form; sent is called once it is sent.
function askForErasure(ctx, clientID, sent) {
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
        ctx.flash(`Your erasure request was sent to the data protection officer (reference ${shortID(res.id)}).`);
        sent();
      } catch (err) {
        send.disabled = false;
        fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
      }
    });
    fill(box, form);
    grounds.focus();
  });
  return fill(box, ask);
}
