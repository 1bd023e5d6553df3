// Rendering of a client's record details and consents, shared by the staff record view and the
// client portal.

import { h } from "../dom.js";
import { calendarDate, dateTime, humanize } from "../format.js";

// detailsList is a definition list of the record's details (absent items are left out).
export function detailsList(d) {
  const items = [
    ["Given name", d.given_name],
    ["Family name", d.family_name],
    ["Preferred name", d.preferred_name],
    ["Date of birth", calendarDate(d.date_of_birth)],
    ["Email", d.email],
    ["Phone", d.phone],
    ["Address", d.address ? [...(d.address.lines || []), d.address.locality, d.address.region, d.address.postal_code, d.address.country].filter(Boolean).join(", ") : ""],
    ["Emergency contact", d.emergency_contact ? [d.emergency_contact.name, d.emergency_contact.relationship, d.emergency_contact.phone].filter(Boolean).join(", ") : ""],
    ["Primary care", d.primary_care ? [d.primary_care.name, d.primary_care.practice, d.primary_care.phone].filter(Boolean).join(", ") : ""],
  ].filter(([, v]) => v);
  return h("dl", { class: "facts" }, items.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// consentTable lists consents by service type (by name where names, a Map of service type id to
// name, has it; by id otherwise), with status and dates.
export function consentTable(consents, names = new Map()) {
  if (consents.length === 0) return h("p", { class: "empty" }, "No consents recorded.");
  return h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Service type"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Version"), h("th", { scope: "col" }, "Signed"), h("th", { scope: "col" }, "Withdrawn"))),
    h("tbody", {}, consents.map((c) => h("tr", {},
      names.has(c.service_type_id) ? h("td", {}, names.get(c.service_type_id)) : h("td", { class: "mono" }, c.service_type_id),
      h("td", {}, humanize(c.status)),
      h("td", { class: "num" }, c.version),
      h("td", {}, dateTime(c.signed_at)),
      h("td", {}, c.withdrawn_at ? dateTime(c.withdrawn_at) : "")))));
}
