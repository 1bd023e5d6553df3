// The client portal: the signed-in client's own record (a client's portal account has the
// client's id) and consents. Reading it is audited like any other record read.

import { get, query } from "../api.js";
import { fill, h } from "../dom.js";
import { errorBox } from "../messages.js";
import { fullName } from "../format.js";
import { consentTable, detailsList } from "./details.js";

export async function portalView(ctx) {
  const g = ctx.generation;
  const id = ctx.me.user_id;
  fill(ctx.main, h("h1", {}, "My record"), h("p", { class: "loading" }, "Loading your record…"));
  document.title = "My record · Caseledger";
  let rec;
  try {
    rec = await get(`/clients/${id}` + query({ purpose: "own_record" }));
  } catch (err) {
    if (ctx.current(g)) fill(ctx.main, h("h1", {}, "My record"), errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  const consents = h("div", {}, h("p", { class: "loading" }, "Loading your consents…"));
  fill(ctx.main,
    h("h1", {}, "My record"),
    h("p", { id: "client-name", class: "lead" }, fullName(rec.details)),
    h("section", { class: "panel", "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, "Your details"), detailsList(rec.details),
      h("p", { class: "hint" }, "If something here is wrong, ask your therapist or the practice to correct it.")),
    h("section", { class: "panel", "aria-labelledby": "consents-title" }, h("h2", { id: "consents-title" }, "Your consents"), consents));
  try {
    const c = await get(`/clients/${id}/consents`);
    if (ctx.current(g)) fill(consents, consentTable(c.consents));
  } catch (err) {
    if (ctx.current(g)) fill(consents, errorBox(err));
  }
}
