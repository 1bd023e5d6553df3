// Loading a report over a period of days, shared by the views that show one: the load runs at
// once and on every submit of the form, refuses a period whose end is not after its start, and
// only the newest load of the view still on screen may paint; a failure paints an error box.

import { fill, h } from "./dom.js";
import { errorBox } from "./messages.js";
import { localDay } from "./format.js";

// onPeriod wires form to load(from, to, fresh): from and to are the local midnights of the two
// date inputs, and fresh() tells whether this load may still paint into out.
export function onPeriod(ctx, form, from, to, out, load) {
  let latest = 0;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  run();

  async function run() {
    const g = ctx.generation;
    const n = ++latest;
    const fresh = () => ctx.current(g) && n === latest;
    const f = localDay(from.value);
    const t = localDay(to.value);
    if (!f || !t || t <= f) {
      fill(out, h("p", { class: "error", role: "alert" }, "Choose a start date before the end date."));
      return;
    }
    try {
      await load(f, t, fresh);
    } catch (err) {
      if (fresh()) fill(out, errorBox(err));
    }
  }
}
