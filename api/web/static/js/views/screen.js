// What the screens that read several answers at once and redraw themselves after a change share.

import { get } from "../api.js";
import { fill } from "../dom.js";
import { errorBox } from "../messages.js";

// readAll gets every path at once for a screen drawn at render generation g. It returns the
// answers in order, or null when a request failed (the error is then shown in out) or when the
// screen is no longer on show.
export async function readAll(ctx, g, out, paths) {
  try {
    const answers = await Promise.all(paths.map((p) => get(p)));
    return ctx.current(g) ? answers : null;
  } catch (err) {
    if (ctx.current(g)) fill(out, errorBox(err));
    return null;
  }
}

// redraw returns reload(message): while the screen drawn at generation g is on show, it shows
// message and draws the screen again with view, reading everything afresh.
export function redraw(ctx, g, view) {
  return (message) => {
    if (!ctx.current(g)) return;
    ctx.flash(message);
    view(ctx);
  };
}
