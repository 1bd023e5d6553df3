// The DPO's subject access requests: every request with its client, when it was received, where
// it stands, and its due date (the clock stops while identity or clarification is awaited), most
// urgent first, overdue ones marked. The requests are worked through the API (identity, extension,
// review, release); this screen is the DPO's list of what is due.

import { get } from "../api.js";
import { fill, h, link } from "../dom.js";
import { errorBox } from "../messages.js";
import { calendarDate, fullName, humanize } from "../format.js";

export async function sarsView(ctx) {
  const g = ctx.generation;
  const out = h("div", { id: "sars", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading the subject access requests…"));
  fill(ctx.main, h("h1", {}, "Subject access requests"), out);
  document.title = "Subject access requests · Caseledger";
  let sars, clients;
  try {
    [sars, clients] = await Promise.all([get("/sars"), get("/clients")]);
  } catch (err) {
    if (ctx.current(g)) fill(out, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  if (sars.requests.length === 0) {
    fill(out, h("p", { class: "empty" }, "No subject access request has been received."));
    return;
  }
  const names = new Map(clients.clients.map((c) => [c.id, fullName(c.details)]));
  // Open requests with a due date first, soonest due first; then the rest, newest first.
  const rows = sars.requests.slice().sort((a, b) =>
    (b.due ? 1 : 0) - (a.due ? 1 : 0) || (a.due && b.due ? a.due.localeCompare(b.due) : b.received_on.localeCompare(a.received_on)));
  fill(out, h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Client"), h("th", { scope: "col" }, "Received"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Due"))),
    h("tbody", {}, rows.map((r) => h("tr", { "data-sar": r.request_id },
      h("td", {}, r.erased ? "Erased client" : r.client_id ? link(`/app/clients/${r.client_id}`, names.get(r.client_id) || "Client record") : "Not yet identified"),
      h("td", {}, calendarDate(r.received_on)),
      h("td", {}, humanize(r.status), r.clock_running ? null : h("span", { class: "tag" }, "clock stopped")),
      h("td", {}, r.due ? calendarDate(r.due) : "", r.overdue ? h("span", { class: "tag warn" }, "overdue") : null))))));
}
