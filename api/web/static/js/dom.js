// DOM helpers. Text always goes in as text nodes, never as HTML, so data from the API cannot
// inject markup.

// h creates an element. attrs: "class", boolean attributes (true sets, false/null/undefined
// omits), "on<event>" functions become listeners; children may be nodes, strings, numbers,
// arrays or null (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

// fill replaces the children of el.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// field is a labelled form control; control must carry an id.
export function field(label, control, hint) {
  const hintEl = hint ? h("span", { class: "hint", id: control.id + "-hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

// link is an in-app link handled by the router.
export function link(path, ...children) {
  return h("a", { href: path, "data-nav": true }, ...children);
}
