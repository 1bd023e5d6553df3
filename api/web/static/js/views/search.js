// The DPO's client search by name, email or date of birth. Terms go in the request body to the
// blind-index search (never in a URL); results link to records by id.

import { post } from "../api.js";
import { field, fill, h, link } from "../dom.js";
import { errorBox } from "../messages.js";
import { byName, calendarDate, fullName, humanize } from "../format.js";

export function searchView(ctx) {
  const name = h("input", { id: "search-name", autocomplete: "off" });
  const email = h("input", { id: "search-email", type: "email", autocomplete: "off" });
  const dob = h("input", { id: "search-dob", type: "date" });
  const out = h("div", { id: "results", "aria-live": "polite" });
  const form = h("form", { role: "search", "aria-label": "Find a client" },
    h("div", { class: "row" }, field("Name", name, "Whole words of the given, family or preferred name"), field("Email address", email), field("Date of birth", dob),
      h("button", { type: "submit" }, "Search")));
  fill(ctx.main, h("h1", {}, "Find a client"),
    h("p", { class: "hint" }, "Every word you give must be one of the client's names, and every field you fill must match. Case, accents and punctuation are ignored; parts of words do not match."),
    form, out);
  document.title = "Find a client · Caseledger";

  let latest = 0; // only the newest search may paint
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const g = ctx.generation;
    const n = ++latest;
    const body = {};
    if (name.value.trim()) body.name = name.value.trim();
    if (email.value.trim()) body.email = email.value.trim();
    if (dob.value) body.date_of_birth = dob.value;
    if (Object.keys(body).length === 0) {
      fill(out, h("p", { class: "error", role: "alert" }, "Enter a name, an email address or a date of birth."));
      return;
    }
    fill(out, h("p", { class: "loading" }, "Searching…"));
    try {
      const res = await post("/client-searches", body);
      if (!ctx.current(g) || n !== latest) return;
      const found = res.clients.sort(byName);
      fill(out, found.length === 0 ? h("p", { class: "empty" }, "No client matches.") : h("table", {},
        h("caption", {}, `${found.length} found`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Date of birth"), h("th", { scope: "col" }, "Status"))),
        h("tbody", {}, found.map((c) => h("tr", {},
          h("td", {}, link(`/app/clients/${c.id}`, fullName(c.details))),
          h("td", {}, calendarDate(c.details.date_of_birth)),
          h("td", {}, humanize(c.status), c.erasure_pending ? h("span", { class: "tag warn" }, "erasure pending") : null))))));
    } catch (err) {
      if (ctx.current(g) && n === latest) fill(out, errorBox(err));
    }
  });
  name.focus();
}
