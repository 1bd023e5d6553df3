// Package web serves Caseledger's browser UI: a small set of plain HTML, CSS and JavaScript
// modules embedded in the binary, with no build step. The UI talks only to the JSON API under
// /api/v1 on the same origin, signs in with the API's session cookie and sends the session's CSRF
// token on every unsafe request.
//
// Handler answers GET and HEAD for "/", for every path under "/app/" (client-side routes, which
// hold ids, never personal data) and for the embedded assets under "/assets/<version>/", where
// version is a digest of every embedded file: assets are cached for a year as immutable, and a
// new build changes every asset URL. The HTML shell is never cached. Every response carries a
// Content-Security-Policy that allows scripts, styles and connections to this origin only, with
// no inline code and no eval, and forbids framing.
package web
