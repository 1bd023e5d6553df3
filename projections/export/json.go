package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// JSON returns r as indented JSON with a trailing newline: the document a subject access request
// releases, whose SHA-256 (Digest) SARReleased records. Equal records give equal bytes.
func JSON(r *Record) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export: encode record %s: %w", r.ClientID, err)
	}
	return append(b, '\n'), nil
}

// Digest returns the hex SHA-256 of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Portable returns the machine-readable part a client may take elsewhere (UK GDPR Art. 20): the
// data they provided or that their care generated (details, consents, sharing consents and
// appointments), without the practice's internal audit sections or any clinician's notes. It
// returns a copy; r is not changed.
func Portable(r *Record) *Record {
	p := *r
	p.Notes, p.AccessLog, p.RetentionEvents, p.Events = []Note{}, []Access{}, []RetentionEvent{}, []EventEntry{}
	p.ErasureRequests = []ErasureRequest{}
	p.PsychotherapyNotesIncluded = false
	return &p
}
