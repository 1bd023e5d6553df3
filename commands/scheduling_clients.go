package commands

import (
	"context"
	"errors"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// bookingEligibility checks that actor may book client with therapist for service at at, and
// returns the consent warning to record ("" when consent is valid). The therapist books their own
// clients; a client books themself through the portal; every other role is refused. A client the
// actor may not see, or that therapist does not hold, is KindNotFound ("client_not_found"). A
// client whose processing is restricted or whose record is archived cannot be booked
// (KindConflict), nor one without valid consent when the practice's rule blocks (KindConflict,
// with the consent status as code, e.g. "consent_missing").
func bookingEligibility(ctx context.Context, d Deps, actor domain.Actor, client, therapist, service domain.ID, at time.Time) (string, error) {
	if !actor.Is(therapist, domain.RoleTherapist) && !actor.Is(client, domain.RoleClient) {
		if actor.Role == domain.RoleTherapist || actor.Role == domain.RoleClient {
			return "", domain.NotFound("client", client)
		}
		return "", domain.Forbidden("booking_not_allowed", "only the therapist or the client books appointments")
	}
	c, _, err := LoadClient(ctx, d, client)
	if err != nil {
		return "", err
	}
	if err := c.Visible(actor); err != nil {
		return "", err
	}
	if !c.HeldBy(therapist) {
		return "", domain.NotFound("client", client)
	}
	p, _, err := LoadPractice(ctx, d, c.PracticeID())
	if err != nil {
		return "", err
	}
	dec, err := DecideConsent(c, p, service, at)
	if err != nil {
		return "", err
	}
	if !dec.Allowed {
		return "", domain.Conflict(dec.Code, "client "+client.String()+" has no valid consent for service "+service.String())
	}
	return dec.Warning, nil
}

// clientIsNew reports whether client has no established appointment with therapist: none that
// the therapist booked or approved. It reads the client's schedule index and the appointments
// it names, skipping ids whose appointment stream does not exist.
func clientIsNew(ctx context.Context, d Deps, client, therapist domain.ID) (bool, error) {
	l, err := loadStream(ctx, d, ClientScheduleStream(client), scheduling.Decode)
	if err != nil {
		return false, err
	}
	for _, id := range scheduling.RebuildClientSchedule(l.Events).With(therapist) {
		al, err := loadStream(ctx, d, AppointmentStream(id), scheduling.Decode)
		if err != nil {
			return false, err
		}
		if scheduling.RebuildAppointment(al.Events).Status().Established() {
			return false, nil
		}
	}
	return true, nil
}

// recordBookings writes the details of reservations just appended to therapist's calendar: first
// the client's schedule index, then each appointment's own stream, sealed under the client's key.
// If a write fails, the reservations whose details were not written are released on the calendar
// (outcome "booking_failed") and the error is returned.
func recordBookings(ctx context.Context, d Deps, actor domain.Actor, therapist, client domain.ID, booked []scheduling.AppointmentBooked) error {
	index := make([]domain.Event, len(booked))
	for i, b := range booked {
		index[i] = scheduling.ClientAppointmentAdded{AppointmentID: b.AppointmentID, TherapistID: therapist}
	}
	env := Envelope{Actor: actor, Subject: client, SchemaVersion: scheduling.SchemaVersion}
	if _, err := appendEvents(ctx, d, ClientScheduleStream(client), eventstore.Any(), env, index...); err != nil {
		return releaseFailed(ctx, d, actor, therapist, booked, err)
	}
	for i, b := range booked {
		if _, err := appendEvents(ctx, d, AppointmentStream(b.AppointmentID), eventstore.NoStream(), env, b); err != nil {
			return releaseFailed(ctx, d, actor, therapist, booked[i:], err)
		}
	}
	return nil
}

// releaseFailed frees the slots of bookings whose details could not be written, and returns cause
// (joined with the release's own error, if that fails too).
func releaseFailed(ctx context.Context, d Deps, actor domain.Actor, therapist domain.ID, booked []scheduling.AppointmentBooked, cause error) error {
	err := changeCalendar(context.WithoutCancel(ctx), d, therapist, actor, func(c *scheduling.Calendar, _ *time.Location, _ time.Time) ([]domain.Event, error) {
		evs := make([]domain.Event, 0, len(booked))
		for _, b := range booked {
			ev, err := c.ReleaseFailed(b.AppointmentID)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	})
	return errors.Join(cause, err)
}
