// The application shell: who is signed in, the navigation for their role, the client-side
// router, and the return to sign-in when the API ends the session. Routes carry ids only.

import { ApiError, del, forgetSession, get, onSessionEnded } from "./api.js";
import { fill, h, link } from "./dom.js";
import { describe } from "./messages.js";
import { signInView } from "./views/signin.js";
import { enrolView } from "./views/enrol.js";
import { todayView } from "./views/today.js";
import { caseloadView } from "./views/caseload.js";
import { recordView } from "./views/record.js";
import { utilisationView } from "./views/utilisation.js";
import { searchView } from "./views/search.js";
import { portalView } from "./views/portal.js";
import { auditView } from "./views/audit.js";
import { erasuresView } from "./views/erasures.js";
import { sarsView } from "./views/sars.js";
import { usersView } from "./views/users.js";
import { practiceView } from "./views/practice.js";
import { accountView } from "./views/account.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");
const status = document.getElementById("status");

const roleNames = {
  therapist: "Therapist",
  practice_manager: "Practice manager",
  dpo: "Data protection officer",
  client: "Client",
  admin: "Administrator",
  auditor: "Auditor",
};

// Screens per role: nav entries first, then routes reachable by link.
const menus = {
  therapist: [["/app/today", "Today"], ["/app/caseload", "Caseload"], ["/app/sars", "Subject access"], ["/app/audit", "Audit trail"]],
  practice_manager: [["/app/utilisation", "Utilisation"]],
  admin: [["/app/users", "Users"], ["/app/practice", "Practice"], ["/app/utilisation", "Utilisation"]],
  dpo: [["/app/search", "Find a client"], ["/app/sars", "Subject access"], ["/app/erasures", "Erasure requests"], ["/app/audit", "Audit trail"]],
  client: [["/app/my-record", "My record"]],
  auditor: [["/app/audit", "Audit trail"]],
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// routeFor returns the view for path and role, or null.
function routeFor(path, role) {
  const allowed = (menus[role] || []).map(([p]) => p);
  if (allowed.includes(path)) {
    return {
      "/app/today": todayView,
      "/app/caseload": caseloadView,
      "/app/utilisation": utilisationView,
      "/app/search": searchView,
      "/app/my-record": portalView,
      "/app/audit": auditView,
      "/app/erasures": erasuresView,
      "/app/sars": sarsView,
      "/app/users": usersView,
      "/app/practice": practiceView,
    }[path];
  }
  if (path === "/app/account") return (ctx) => accountView(ctx, roleNames[role] || role, allowed.length > 0);
  const m = /^\/app\/clients\/([^/]+)$/.exec(path);
  if (m && uuid.test(m[1]) && (role === "therapist" || role === "dpo")) {
    return (ctx) => recordView(ctx, m[1]);
  }
  return null;
}

let me = null; // {user_id, role, stage} while signed in
let wanted = null; // the path asked for before sign-in
let wantedBy = null; // whose session ended there (null: nobody signed in yet)
let generation = 0; // bumps on every render, so a slow view cannot paint over a newer one

const ctx = {
  get me() {
    return me;
  },
  main,
  flash(message) {
    status.textContent = message;
  },
  // current reports whether a render started at generation g is still on screen.
  current(g) {
    return g === generation;
  },
  get generation() {
    return generation;
  },
  signedIn(session) {
    me = session;
    renderChrome();
    if (me.stage === "enrol_totp") return show(enrolView);
    const resume = wanted && (wantedBy === null || wantedBy === me.user_id) && routeFor(wanted, me.role);
    const target = resume ? wanted : home();
    wanted = wantedBy = null;
    navigate(target, { replace: true });
  },
};

function home() {
  return (menus[me?.role] || [])[0]?.[0] || "/app/account";
}

function renderChrome() {
  if (!me || me.stage === "enrol_totp") {
    fill(nav);
  } else {
    const here = location.pathname;
    fill(nav, (menus[me.role] || []).map(([p, label]) => {
      const a = link(p, label);
      if (here === p) a.setAttribute("aria-current", "page");
      return a;
    }));
  }
  fill(account, me
    ? [me.stage === "enrol_totp" ? null : link("/app/account", "Account"), h("span", { class: "role" }, roleNames[me.role] || me.role),
      h("button", { type: "button", id: "sign-out", onclick: signOut }, "Sign out")]
    : []);
}

function show(view) {
  generation++;
  renderChrome();
  main.replaceChildren();
  view(ctx);
  main.focus({ preventScroll: true });
}

// navigate shows path, pushing (or replacing) a history entry.
function navigate(path, { replace = false } = {}) {
  if (location.pathname !== path) {
    history[replace ? "replaceState" : "pushState"](null, "", path);
  }
  status.textContent = "";
  render();
}

function render() {
  if (!me) {
    if (location.pathname.startsWith("/app/") && location.pathname !== "/app/sign-in") wanted = location.pathname;
    history.replaceState(null, "", "/app/sign-in");
    return show((c) => signInView(c));
  }
  if (me.stage === "enrol_totp") return show(enrolView);
  const view = routeFor(location.pathname, me.role);
  if (!view) {
    if (location.pathname === "/" || location.pathname === "/app" || location.pathname.startsWith("/app/sign-in")) {
      return navigate(home(), { replace: true });
    }
    return show(() => fill(main, h("h1", {}, "Not found"), h("p", {}, "There is no such screen for your role. "), link(home(), "Go to your start page")));
  }
  show(view);
}

// signedOut returns to sign-in with message.
function signedOut(message) {
  me = null;
  forgetSession();
  history.replaceState(null, "", "/app/sign-in");
  generation++;
  renderChrome();
  main.replaceChildren();
  signInView(ctx, message);
  main.focus({ preventScroll: true });
}

async function signOut() {
  try {
    await del("/sessions/current");
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) {
      status.textContent = describe(err);
      return;
    }
  }
  wanted = wantedBy = null;
  signedOut("You have signed out.");
}

onSessionEnded((err) => {
  if (!me) return;
  if (location.pathname.startsWith("/app/") && location.pathname !== "/app/sign-in") {
    wanted = location.pathname;
    wantedBy = me.user_id;
  }
  signedOut(describe(err.code === "unauthenticated" ? { code: "session_expired" } : err));
});

document.addEventListener("click", (e) => {
  const a = e.target.closest?.("a[data-nav]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href"));
});

window.addEventListener("popstate", render);

async function start() {
  try {
    const who = await get("/me");
    me = { user_id: who.user_id, role: who.role, stage: who.stage || "full" };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) {
      fill(main, h("p", { class: "error", role: "alert" }, describe(err)));
      return;
    }
  }
  render();
}

start();
