package client

import (
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/internal/jsonevent"
)

// CaseloadClientAdded adds a client id to a therapist's caseload index, the plaintext stream
// "caseload-<therapist id>". It holds only ids: which therapist sees which client is already
// visible from the client stream's metadata (event actors), and no name ever enters it.
type CaseloadClientAdded struct {
	ClientID domain.ID `json:"client_id"`
	At       time.Time `json:"at"`
}

func (CaseloadClientAdded) EventType() string { return "CaseloadClientAdded" }

// DecodeCaseload decodes the events of a caseload stream, like Decode.
var DecodeCaseload = jsonevent.Decoder("caseload", map[string]func(string, []byte) (domain.Event, error){
	"CaseloadClientAdded": jsonevent.Of[CaseloadClientAdded](),
})

// Caseload returns the distinct client ids of a caseload stream's history, in the order they were
// first added. It is an index, a superset of the records the therapist holds: check each client's
// holder.
func Caseload(history []domain.Event) []domain.ID {
	seen := map[domain.ID]bool{}
	var out []domain.ID
	for _, ev := range history {
		if e, ok := ev.(CaseloadClientAdded); ok && !seen[e.ClientID] {
			seen[e.ClientID] = true
			out = append(out, e.ClientID)
		}
	}
	return out
}
