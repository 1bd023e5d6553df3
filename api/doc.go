// Package api is Caseledger's HTTP interface: a JSON API under /api/v1 (gorilla/mux), sign-in with
// cookie sessions and bearer tokens, role checks, access auditing, and the server pieces the
// runtime hosts (security headers, Prometheus metrics, PII-free JSON access logs).
//
// It is the only package that knows HTTP. New builds the whole handler from a Config. Every error
// leaves as an RFC 9457 problem+json body with a stable code; exactly one function, statusFor,
// turns domain error kinds and codes into HTTP statuses. A record the caller may not see answers
// 404 with the same body as a record that does not exist.
package api
