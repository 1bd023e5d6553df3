// Formatting of names, dates and times for display, in the browser's locale and time zone.

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

// fullName is a client's display name: preferred (or given) name and family name.
export function fullName(d) {
  if (!d) return "";
  const given = d.preferred_name || d.given_name || "";
  return [given, d.family_name || ""].filter(Boolean).join(" ");
}

// byName orders clients (with .details) by family name, then given name.
export function byName(a, b) {
  return collator.compare(a.details?.family_name ?? "", b.details?.family_name ?? "") ||
    collator.compare(a.details?.given_name ?? "", b.details?.given_name ?? "");
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const longDateFmt = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });

export const time = (iso) => timeFmt.format(new Date(iso));
export const dateTime = (iso) => dateTimeFmt.format(new Date(iso));
export const longDate = (d) => longDateFmt.format(d);

// calendarDate formats a "YYYY-MM-DD" date without shifting it through a time zone.
export function calendarDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
  return m ? dateFmt.format(new Date(+m[1], +m[2] - 1, +m[3])) : s || "";
}

// inputDate is the "YYYY-MM-DD" of d in local time, as a date input expects.
export function inputDate(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// localDay parses a date input's "YYYY-MM-DD" as local midnight (null when malformed).
export function localDay(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
  return m ? new Date(+m[1], +m[2] - 1, +m[3]) : null;
}

// addDays returns local midnight n days after the local day d.
export function addDays(d, n) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

// money formats minor units of an ISO currency.
export function money(minor, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

// shortID is the first block of a UUID, for compact tables (the full id is in the title).
export const shortID = (id) => (id || "").slice(0, 8);

// humanize turns an API slug ("late_cancelled") into words.
export const humanize = (s) => (s || "").replaceAll("_", " ");
