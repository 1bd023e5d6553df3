package scheduling

import (
	"fmt"
	"reflect"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/internal/jsonevent"
)

// SchemaVersion is the payload version every scheduling event is written with.
const SchemaVersion = 1

// newEvent maps each event type name to a constructor of an empty event.
var newEvent = map[string]func() domain.Event{
	"CalendarConfigured":           func() domain.Event { return &CalendarConfigured{} },
	"WeeklyHoursSet":               func() domain.Event { return &WeeklyHoursSet{} },
	"AvailabilityExceptionSet":     func() domain.Event { return &AvailabilityExceptionSet{} },
	"AvailabilityExceptionCleared": func() domain.Event { return &AvailabilityExceptionCleared{} },
	"SelfBookingRulesSet":          func() domain.Event { return &SelfBookingRulesSet{} },
	"SlotReserved":                 func() domain.Event { return &SlotReserved{} },
	"SlotApproved":                 func() domain.Event { return &SlotApproved{} },
	"SlotMoved":                    func() domain.Event { return &SlotMoved{} },
	"SlotReleased":                 func() domain.Event { return &SlotReleased{} },
	"SlotCompleted":                func() domain.Event { return &SlotCompleted{} },
	"SlotNoShow":                   func() domain.Event { return &SlotNoShow{} },
	"SlotHeld":                     func() domain.Event { return &SlotHeld{} },
	"HoldReleased":                 func() domain.Event { return &HoldReleased{} },
	"AppointmentBooked":            func() domain.Event { return &AppointmentBooked{} },
	"AppointmentApproved":          func() domain.Event { return &AppointmentApproved{} },
	"AppointmentDeclined":          func() domain.Event { return &AppointmentDeclined{} },
	"AppointmentRescheduled":       func() domain.Event { return &AppointmentRescheduled{} },
	"AppointmentCancelled":         func() domain.Event { return &AppointmentCancelled{} },
	"AppointmentCompleted":         func() domain.Event { return &AppointmentCompleted{} },
	"AppointmentNoShow":            func() domain.Event { return &AppointmentNoShow{} },
	"WaitlistJoined":               func() domain.Event { return &WaitlistJoined{} },
	"WaitlistLeft":                 func() domain.Event { return &WaitlistLeft{} },
	"WaitlistEntryOpened":          func() domain.Event { return &WaitlistEntryOpened{} },
	"ClientAppointmentAdded":       func() domain.Event { return &ClientAppointmentAdded{} },
	"ClientHoldPlaced":             func() domain.Event { return &ClientHoldPlaced{} },
	"ClientWaitlistJoined":         func() domain.Event { return &ClientWaitlistJoined{} },
}

// EventTypes returns the name of every scheduling event type.
func EventTypes() []string {
	out := make([]string, 0, len(newEvent))
	for k := range newEvent {
		out = append(out, k)
	}
	return out
}

// Decode is the scheduling package's domain.Decoder. It returns the event as a value (not a
// pointer), or an ErrInvalid error for an unknown type, an unknown schema version, unknown fields
// or a payload that does not decode. It never panics.
func Decode(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	mk, ok := newEvent[eventType]
	if !ok {
		return nil, domain.Invalid("event_type", fmt.Sprintf("unknown scheduling event type %q", truncate(eventType, 64)))
	}
	if schemaVersion != SchemaVersion {
		return nil, domain.Invalid("schema_version", fmt.Sprintf("%s has no schema version %d", eventType, schemaVersion))
	}
	ev := mk()
	switch err := jsonevent.Strict(payload, ev); err {
	case nil:
		return deref(ev), nil
	case jsonevent.ErrTrailing:
		return nil, domain.Invalid("payload", eventType+" has trailing data")
	default:
		return nil, domain.Invalid("payload", eventType+" does not decode")
	}
}

// deref turns the pointer Decode filled into the value type Apply switches on.
func deref(ev domain.Event) domain.Event {
	return reflect.ValueOf(ev).Elem().Interface().(domain.Event)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
