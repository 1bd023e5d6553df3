// The therapist's caseload: their clients, decrypted by the API, sorted by name here (the
// database holds names only as ciphertext). The filter works in memory and never reaches a URL.

import { get } from "../api.js";
import { field, fill, h, link } from "../dom.js";
import { errorBox } from "../messages.js";
import { byName, calendarDate, fullName, humanize } from "../format.js";

export function caseloadView(ctx) {
  const g = ctx.generation;
  const filter = h("input", { id: "filter", type: "search", autocomplete: "off" });
  const body = h("div", { id: "caseload" }, h("p", { class: "loading" }, "Loading caseload…"));
  fill(ctx.main, h("h1", {}, "Caseload"),
    h("div", { class: "row" }, field("Filter by name", filter)),
    body);
  document.title = "Caseload · Caseledger";

  let clients = [];
  filter.addEventListener("input", draw);
  get("/clients").then((res) => {
    if (!ctx.current(g)) return;
    clients = res.clients.sort(byName);
    draw();
  }, (err) => ctx.current(g) && fill(body, errorBox(err)));

  function draw() {
    const needle = filter.value.trim().toLocaleLowerCase();
    const shown = needle ? clients.filter((c) => fullName(c.details).toLocaleLowerCase().includes(needle)) : clients;
    if (shown.length === 0) {
      fill(body, h("p", { class: "empty" }, clients.length ? "No client matches the filter." : "You have no clients yet."));
      return;
    }
    fill(body, h("table", {},
      h("caption", {}, `${shown.length} of ${clients.length} clients`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Date of birth"), h("th", { scope: "col" }, "Status"))),
      h("tbody", {}, shown.map((c) => h("tr", {},
        h("td", {}, link(`/app/clients/${c.id}`, fullName(c.details))),
        h("td", {}, calendarDate(c.details.date_of_birth)),
        h("td", {}, humanize(c.status),
          c.restricted ? h("span", { class: "tag warn" }, "restricted") : null,
          c.erasure_pending ? h("span", { class: "tag warn" }, "erasure pending") : null))))));
  }
}
