package projections

import (
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// FuzzErasedSubject feeds arbitrary payloads to the SubjectErased decoder: it never panics, and it
// returns a subject exactly when it returns no error.
func FuzzErasedSubject(f *testing.F) {
	f.Add([]byte(`{"subject_id":"0190f3c2-7a4e-7d2a-9c1b-2f4e6a8b0c1d","request_id":"0190f3c2-7a4e-7d2a-9c1b-2f4e6a8b0c1e","key_ids":[1],"erased_at":"2026-01-01T00:00:00Z","actor_id":"0190f3c2-7a4e-7d2a-9c1b-2f4e6a8b0c1f","actor_role":"dpo"}`))
	f.Add([]byte(`{"subject_id":"00000000-0000-0000-0000-000000000000"}`))
	f.Add([]byte(`{"subject_id":"not a uuid"}`))
	f.Add([]byte(`null`))
	f.Add([]byte{0x00, 0xff})
	f.Fuzz(func(t *testing.T, payload []byte) {
		s, err := erasedSubject(&eventstore.RecordedEvent{EventData: eventstore.EventData{Type: subjectErasedType, Payload: payload}})
		if (err == nil) != (s != uuid.Nil) {
			t.Fatalf("subject %s with error %v", s, err)
		}
	})
}
