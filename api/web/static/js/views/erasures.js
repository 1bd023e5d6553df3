// The DPO's erasure requests: the queue of requests not decided yet, oldest first, with the
// client's name, when they asked and by when the answer is due; and, per request, the decision.
// Approving erases the client's data for good (crypto-shredding), so it must be confirmed; a
// refusal names its UK GDPR Art. 17(3) exemption and explains it; deferral keeps the records to
// the end of their retention period. The queue is read from the audit trail and catches up with a
// decision after a moment.

import { get, post } from "../api.js";
import { field, fill, h, link } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { calendarDate, dateTime, fullName } from "../format.js";

const exemptions = [
  ["legal_obligation", "(b) a legal obligation to keep the records"],
  ["public_health", "(c) public health and the provision of care"],
  ["legal_claims", "(e) the establishment, exercise or defence of legal claims"],
  ["archiving_research", "(d) archiving, research or statistics"],
  ["freedom_of_expression", "(a) freedom of expression and information"],
];

export async function erasuresView(ctx) {
  const g = ctx.generation;
  const list = h("div", { id: "erasure-queue", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading the erasure requests…"));
  fill(ctx.main, h("h1", {}, "Erasure requests"),
    h("p", { class: "hint" }, "Requests not decided yet, oldest first. Each must be answered within one month."), list);
  document.title = "Erasure requests · Caseledger";
  let queue, clients;
  try {
    [queue, clients] = await Promise.all([get("/erasure-requests"), get("/clients")]);
  } catch (err) {
    if (ctx.current(g)) fill(list, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const names = new Map(clients.clients.map((c) => [c.id, fullName(c.details)]));
  if (queue.requests.length === 0) {
    fill(list, h("p", { class: "empty" }, "No erasure request is waiting for a decision."));
    return;
  }
  fill(list, h("ul", { class: "plain" }, queue.requests.map((r) => {
    const item = h("li", { class: "erasure", "data-client": r.client_id },
      h("p", {}, link(`/app/clients/${r.client_id}`, names.get(r.client_id) || "Client record"),
        ` asked on ${dateTime(r.requested_at)}; answer due by ${calendarDate(r.due_by)}.`));
    const open = h("button", { type: "button", class: "secondary decide" }, "Decide…");
    open.addEventListener("click", () => decide(ctx, g, r.client_id, item, open));
    item.append(h("div", { class: "actions" }, open));
    return item;
  })));
}

// decide reads client's requests (a recorded read) and shows the decision form for the open one.
async function decide(ctx, g, clientID, item, open) {
  open.disabled = true;
  const box = h("div", { class: "panel" }, h("p", { class: "loading" }, "Loading the request…"));
  item.append(box);
  let req;
  try {
    const res = await get(`/clients/${clientID}/erasure-requests`);
    req = res.requests.find((x) => x.status === "open");
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  if (!req) {
    fill(box, h("p", { class: "empty" }, "This request has been decided meanwhile."));
    return;
  }
  const choice = (value, label) => {
    const id = `decision-${value}-${clientID}`;
    return h("div", { class: "check" }, h("input", { type: "radio", name: `decision-${clientID}`, id, value }), h("label", { for: id }, label));
  };
  const exemption = h("select", { id: `exemption-${clientID}` }, exemptions.map(([v, l]) => h("option", { value: v }, l)));
  const explanation = h("textarea", { id: `explanation-${clientID}`, maxlength: 4000 });
  const confirmErase = h("input", { type: "checkbox", id: `confirm-erase-${clientID}` });
  const send = h("button", { type: "submit" }, "Record the decision");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": "Erasure decision" },
    h("p", {}, `Asked on ${dateTime(req.requested_at)}`, req.grounds ? `: “${req.grounds}”` : "."),
    choice("refuse", "Refuse, under an Art. 17(3) exemption"),
    h("div", { class: "row" }, field("Exemption", exemption), field("Explanation for the client", explanation)),
    choice("defer", "Defer to the end of the retention period"),
    choice("approve", "Approve: erase the client's data"),
    h("div", { class: "check" }, confirmErase, h("label", { for: confirmErase.id }, "I understand that approving erases this client's data permanently.")),
    send, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector(`input[name="decision-${clientID}"]:checked`)?.value;
    const say = (m) => fill(alert, h("p", { class: "error" }, m));
    if (!picked) return say("Choose a decision.");
    if (picked === "approve" && !confirmErase.checked) return say("Confirm that the client's data is to be erased.");
    if (picked === "refuse" && !explanation.value.trim()) return say("Explain the refusal: the client reads it.");
    const body = { decision: picked };
    if (picked === "refuse") Object.assign(body, { exemption: exemption.value, explanation: explanation.value.trim() });
    send.disabled = true;
    try {
      await post(`/clients/${clientID}/erasure-requests/${req.id}/decision`, body);
      ctx.flash({ refuse: "Refusal recorded.", defer: "Deferral recorded.", approve: "Erasure approved: the client's data is erased." }[picked]);
      item.remove();
    } catch (err) {
      send.disabled = false;
      fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
    }
  });
  fill(box, form);
}
