// Package identity holds the users of a practice and the rules of signing in: roles, the password
// policy, failed-attempt throttling and lockout, dormant accounts, TOTP second factors and recovery
// codes, and session lifetimes.
//
// A User is an event-sourced aggregate in the stream "user-<uuid>". Every payload of that stream is
// sealed under the user's id as data subject, because it holds the user's email address or secrets;
// event metadata carries ids and roles only.
//
// The package does no cryptography that needs a dependency and reads no clock: password hashes are
// computed and compared by the caller (argon2id in commands), TOTP codes are checked by the caller,
// and every decision takes the current time as an argument.
package identity
