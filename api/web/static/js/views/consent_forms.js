// The client's consent forms in the portal: for each service the practice has a form for, the
// version in force and the client's consent to it. A form the client has not validly signed
// (never, an older version, or withdrawn) shows its whole text, a confirmation and a Sign button.
// Signing sends the version shown, so a form revised while the client was reading is refused
// (consent_version_outdated) and shown again in its new version; the server dates the signature.

import { get, post } from "../api.js";
import { fill, h } from "../dom.js";
import { errorBox } from "../messages.js";
import { dateTime } from "../format.js";

const statusText = {
  valid: "Signed",
  consent_missing: "Not signed yet",
  consent_outdated: "Revised since you signed",
  consent_withdrawn: "Withdrawn",
};

// consentFormsSection fills box with the client's consent forms, reading them afresh; g is the
// render generation the portal was drawn in.
export async function consentFormsSection(ctx, g, clientID, box) {
  let forms;
  try {
    forms = (await get(`/clients/${clientID}/consent-forms`)).forms;
  } catch (err) {
    if (ctx.current(g)) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current(g)) return;
  if (forms.length === 0) {
    fill(box, h("p", { class: "empty" }, "There are no consent forms for you to sign."));
    return;
  }
  fill(box, h("ul", { id: "consent-forms", class: "plain" }, forms.map((f) => formItem(ctx, g, clientID, box, f))));
}

// formItem is one service's form: its status, and unless validly signed, the form to sign.
function formItem(ctx, g, clientID, box, f) {
  const signed = f.status === "valid";
  const item = h("li", { class: "consent-form", "data-service": f.service_type_id },
    h("h3", {}, f.service_name, " ", h("span", { class: signed ? "tag" : "tag warn" }, statusText[f.status] || f.status)),
    signed ? h("p", { class: "hint" }, `You signed version ${f.signed_version} on ${dateTime(f.signed_at)}.`) : null);
  if (signed) return item;

  const agree = h("input", { type: "checkbox", id: `agree-${f.service_type_id}` });
  const sign = h("button", { type: "submit" }, "Sign");
  const alert = h("div", { role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": `Consent form: ${f.service_name}` },
    h("blockquote", { class: "consent-text" }, f.text),
    h("p", { class: "hint" }, `Version ${f.version}, in force from ${dateTime(f.effective_from)}.`),
    h("div", { class: "check" }, agree, h("label", { for: agree.id }, "I have read this form and I agree to it.")),
    sign, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!agree.checked) {
      fill(alert, h("p", { class: "error" }, "Tick the box to confirm that you have read the form and agree to it."));
      agree.focus();
      return;
    }
    sign.disabled = true;
    try {
      await post(`/clients/${clientID}/consents`, { service_type_id: f.service_type_id, version: f.version, method: "portal", signer: "client" });
      ctx.flash(`Consent to ${f.service_name.toLowerCase()} signed.`);
    } catch (err) {
      sign.disabled = false;
      if (err.code !== "consent_version_outdated") {
        fill(alert, errorBox(err));
        return;
      }
      ctx.flash(`The ${f.service_name.toLowerCase()} form was revised while you were reading it. Please read the new version.`);
    }
    await consentFormsSection(ctx, g, clientID, box);
  });
  item.append(form);
  return item;
}
