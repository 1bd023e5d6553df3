package note

import (
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/internal/jsonevent"
)

// Decode turns a stored note event back into its value type. It returns an ErrInvalid error for
// an unknown type, an unknown schema version or a payload that does not decode strictly; it never
// panics.
var Decode = jsonevent.Decoder("note", map[string]func(string, []byte) (domain.Event, error){
	"NoteDrafted":       jsonevent.Of[NoteDrafted](),
	"NoteRevised":       jsonevent.Of[NoteRevised](),
	"NoteSigned":        jsonevent.Of[NoteSigned](),
	"NoteAddendumAdded": jsonevent.Of[NoteAddendumAdded](),
})
