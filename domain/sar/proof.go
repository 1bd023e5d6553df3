package sar

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Check is one test run after an erasure and its result. Name is one of the Check constants;
// Detail holds counts, table names and ids only, never personal data.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail,omitempty"`
}

// The checks an erasure proof runs.
const (
	// CheckKeyGone: the keyring holds no key for the subject and refuses to mint one.
	CheckKeyGone = "key_gone"
	// CheckReadModelsEmpty: no read-model row refers to the subject.
	CheckReadModelsEmpty = "read_models_empty"
	// CheckPayloadUnreadable: a sample of the subject's sealed payloads no longer opens.
	CheckPayloadUnreadable = "payload_unreadable"
)

// ErasureVerified is the PII-free proof that an approved erasure took effect: the request, the
// decision it carried out, each check and its result. It lives in the stream
// "erasureproof-<request uuid>" and is plaintext. Passed is true when every check passed.
type ErasureVerified struct {
	RequestID domain.ID `json:"request_id"`
	ClientID  domain.ID `json:"client_id"`
	Decision  string    `json:"decision"`
	Checks    []Check   `json:"checks"`
	Passed    bool      `json:"passed"`
	At        time.Time `json:"at"`
}

// EventType names.
func (ErasureVerified) EventType() string { return "ErasureVerified" }

var proofDecoders = map[string]func([]byte) (domain.Event, error){
	"ErasureVerified": decodeAs[ErasureVerified],
}

// DecodeProof is the domain.Decoder of the "erasureproof-" stream, with Decode's contract.
func DecodeProof(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	return decodeWith(proofDecoders, "erasure proof", eventType, schemaVersion, payload)
}

// NewErasureVerified returns the proof event for checks; Passed is true only when there is at
// least one check and every check passed.
func NewErasureVerified(request, client domain.ID, decision string, checks []Check, at time.Time) ErasureVerified {
	passed := len(checks) > 0
	for _, c := range checks {
		passed = passed && c.Passed
	}
	return ErasureVerified{RequestID: request, ClientID: client, Decision: decision, Checks: append([]Check{}, checks...), Passed: passed, At: at}
}
