package client

import (
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/internal/jsonevent"
)

// Decode turns a stored client event back into its value type. It returns an ErrInvalid error
// for an unknown type, an unknown schema version or a payload that does not decode strictly; it
// never panics.
var Decode = jsonevent.Decoder("client", map[string]func(string, []byte) (domain.Event, error){
	"ClientRegistered":            jsonevent.Of[ClientRegistered](),
	"ClientDetailsRectified":      jsonevent.Of[ClientDetailsRectified](),
	"ProcessingRestricted":        jsonevent.Of[ProcessingRestricted](),
	"ProcessingRestrictionLifted": jsonevent.Of[ProcessingRestrictionLifted](),
	"ClientDischarged":            jsonevent.Of[ClientDischarged](),
	"ClientReadmitted":            jsonevent.Of[ClientReadmitted](),
	"ConsentSigned":               jsonevent.Of[ConsentSigned](),
	"ConsentWithdrawn":            jsonevent.Of[ConsentWithdrawn](),
	"SharingConsentGiven":         jsonevent.Of[SharingConsentGiven](),
	"SharingConsentWithdrawn":     jsonevent.Of[SharingConsentWithdrawn](),
	"RecordTransferred":           jsonevent.Of[RecordTransferred](),
	"RecordArchived":              jsonevent.Of[RecordArchived](),
	"RecordAccessed":              jsonevent.Of[RecordAccessed](),
	"NoteWriteAuthorised":         jsonevent.Of[NoteWriteAuthorised](),
	"ErasureRequested":            jsonevent.Of[ErasureRequested](),
	"ErasureApproved":             jsonevent.Of[ErasureApproved](),
	"ErasureRefused":              jsonevent.Of[ErasureRefused](),
	"ErasureDeferred":             jsonevent.Of[ErasureDeferred](),
})
