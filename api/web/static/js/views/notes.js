// Session notes of one client, for the therapist holding the record: the list (an audited read,
// loaded on request), a draft form over the built-in templates, and signing a draft.

import { get, post } from "../api.js";
import { field, fill, h } from "../dom.js";
import { describe, errorBox } from "../messages.js";
import { dateTime, humanize } from "../format.js";

// The built-in templates every practice has (domain/practice BuiltinNoteTemplates).
const templates = [
  { id: "00000000-0000-0000-0000-000000000001", name: "SOAP", fields: [["subjective", "Subjective"], ["objective", "Objective"], ["assessment", "Assessment"], ["plan", "Plan"]] },
  { id: "00000000-0000-0000-0000-000000000002", name: "DAP", fields: [["data", "Data"], ["assessment", "Assessment"], ["plan", "Plan"]] },
  { id: "00000000-0000-0000-0000-000000000003", name: "BIRP", fields: [["behavior", "Behavior"], ["intervention", "Intervention"], ["response", "Response"], ["plan", "Plan"]] },
];

export function notesSection(ctx, clientID) {
  const g = ctx.generation;
  const list = h("div", { id: "notes" });
  const show = h("button", { type: "button", class: "secondary", id: "show-notes" }, "Show session notes");
  const section = h("section", { class: "panel", "aria-labelledby": "notes-title" },
    h("h2", { id: "notes-title" }, "Session notes"),
    h("p", { class: "hint" }, "Reading notes is recorded in the audit log."),
    show, list, draftForm());
  show.addEventListener("click", load);
  return section;

  async function load() {
    show.disabled = true;
    fill(list, h("p", { class: "loading" }, "Loading notes…"));
    try {
      const res = await get(`/clients/${clientID}/notes`);
      if (!ctx.current(g)) return;
      show.hidden = true;
      const notes = res.notes.sort((a, b) => (b.versions.at(-1)?.at || "").localeCompare(a.versions.at(-1)?.at || ""));
      fill(list, notes.length === 0 ? h("p", { class: "empty" }, "No session notes yet.") : notes.map(noteItem));
    } catch (err) {
      show.disabled = false;
      if (ctx.current(g)) fill(list, errorBox(err));
    }
  }

  function noteItem(n) {
    const tpl = templates.find((t) => t.id === n.template_id);
    const labels = new Map(tpl ? tpl.fields : []);
    const keys = tpl ? tpl.fields.map(([k]) => k).filter((k) => k in n.fields) : Object.keys(n.fields).sort();
    const alert = h("div", { role: "alert" });
    const sign = n.status === "draft" ? h("button", { type: "button" }, "Sign note") : null;
    sign?.addEventListener("click", async () => {
      sign.disabled = true;
      try {
        await post(`/clients/${clientID}/notes/${n.id}/signature`, { kind: n.kind });
        ctx.flash("Note signed.");
        load();
      } catch (err) {
        sign.disabled = false;
        fill(alert, errorBox(err));
      }
    });
    return h("article", { class: "note" },
      h("h3", {}, `${humanize(n.kind)} note`, tpl ? ` (${tpl.name})` : "", h("span", { class: n.status === "signed" ? "tag" : "tag warn" }, humanize(n.status))),
      h("p", { class: "hint" }, n.signed_at ? `Signed ${dateTime(n.signed_at)}` : `Last saved ${dateTime(n.versions.at(-1)?.at)}`),
      h("dl", { class: "facts" }, keys.map((k) => [h("dt", {}, labels.get(k) || k), h("dd", {}, h("pre", {}, n.fields[k]))])),
      (n.addenda || []).length ? h("div", {}, h("h4", {}, "Addenda"), n.addenda.map((a) => h("p", {}, h("span", { class: "hint" }, dateTime(a.at) + ": "), a.text))) : null,
      alert, sign);
  }

  function draftForm() {
    const kind = h("select", { id: "note-kind" }, h("option", { value: "progress" }, "Progress note"), h("option", { value: "psychotherapy" }, "Psychotherapy note (private to you)"));
    const template = h("select", { id: "note-template" }, templates.map((t) => h("option", { value: t.id }, t.name)));
    const fields = h("div");
    const alert = h("div", { role: "alert" });
    const save = h("button", { type: "submit" }, "Save draft");
    const form = h("form", { "aria-labelledby": "draft-title", novalidate: true },
      h("h3", { id: "draft-title" }, "New note"),
      h("div", { class: "row" }, field("Kind", kind), field("Template", template)),
      fields, alert, save);
    const drawFields = () => {
      const t = templates.find((x) => x.id === template.value);
      fill(fields, t.fields.map(([k, label]) => field(label, h("textarea", { id: `note-${k}`, name: k, required: true }))));
    };
    template.addEventListener("change", drawFields);
    drawFields();
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = {};
      for (const ta of fields.querySelectorAll("textarea")) values[ta.name] = ta.value;
      const missing = [...fields.querySelectorAll("textarea")].find((ta) => !ta.value.trim());
      if (missing) {
        fill(alert, h("p", { class: "error" }, "Fill in every field of the template."));
        missing.focus();
        return;
      }
      save.disabled = true;
      try {
        await post(`/clients/${clientID}/notes`, { kind: kind.value, template_id: template.value, fields: values });
        if (!ctx.current(g)) return;
        drawFields();
        fill(alert);
        ctx.flash("Draft saved.");
        load();
      } catch (err) {
        fill(alert, err.status === 401 ? null : h("p", { class: "error" }, describe(err)));
      } finally {
        save.disabled = false;
      }
    });
    return form;
  }
}
