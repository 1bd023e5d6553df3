package scheduling

import (
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Limits on self-booking rules.
const (
	maxHorizonDays = 366
	maxHoldMinutes = 120
)

// MaxHoldTime is the longest any hold lasts: a hold placed longer ago than this has expired.
const MaxHoldTime = maxHoldMinutes * time.Minute

// SelfBookingRules say which slots clients may book themselves through the portal. The zero value
// (Enabled false) allows no self-booking.
type SelfBookingRules struct {
	Enabled bool `json:"enabled"`
	// Hours are the weekly hours opened for self-booking; empty opens all working hours. A slot
	// must lie inside both the working hours and these.
	Hours WeeklyHours `json:"hours,omitempty"`
	// ServiceTypes limits self-booking to these services; empty allows every service.
	ServiceTypes []domain.ID `json:"service_types,omitempty"`
	// HorizonDays is how far ahead a client may book.
	HorizonDays int `json:"horizon_days"`
	// MinNoticeMinutes is how soon before its start a slot may still be booked.
	MinNoticeMinutes int `json:"min_notice_minutes"`
	// NewClientApproval makes a new client's first booking wait for the therapist's approval.
	NewClientApproval bool `json:"new_client_approval"`
	// HoldMinutes is how long a slot stays held while a client completes a booking.
	HoldMinutes int `json:"hold_minutes"`
	// Location and VideoLink are where a self-booked session takes place, as Place (a client does
	// not choose the room). Rules enabled before they were recorded have neither; a client's
	// booking on them must then name a place itself.
	Location  string `json:"location,omitempty"`
	VideoLink string `json:"video_link,omitempty"`
}

// Place is where a self-booked session takes place.
func (r SelfBookingRules) Place() Place { return Place{Location: r.Location, VideoLink: r.VideoLink} }

// Validate checks the rules; disabled rules need no other field.
func (r SelfBookingRules) Validate() error {
	if !r.Enabled {
		return nil
	}
	var errs []error
	errs = append(errs, r.Hours.Validate())
	if r.HorizonDays < 1 || r.HorizonDays > maxHorizonDays {
		errs = append(errs, domain.Invalid("horizon_days", "want 1 to 366"))
	}
	if r.MinNoticeMinutes < 0 || r.MinNoticeMinutes > r.HorizonDays*24*60 {
		errs = append(errs, domain.Invalid("min_notice_minutes", "want 0 up to the horizon"))
	}
	if r.HoldMinutes < 1 || r.HoldMinutes > maxHoldMinutes {
		errs = append(errs, domain.Invalid("hold_minutes", "want 1 to 120"))
	}
	errs = append(errs, r.Place().Validate())
	for _, s := range r.ServiceTypes {
		if s.IsZero() {
			errs = append(errs, domain.Invalid("service_types", "zero id"))
		}
	}
	return joinErrors(errs)
}

// HoldTTL returns how long a hold lasts.
func (r SelfBookingRules) HoldTTL() time.Duration { return time.Duration(r.HoldMinutes) * time.Minute }

// bookable reports why iv may not be self-booked for service at now, or nil when it may.
func (r SelfBookingRules) bookable(iv Interval, service domain.ID, now time.Time, loc *time.Location) error {
	if !r.Enabled {
		return domain.Forbidden("self_booking_disabled", "this calendar does not take self-bookings")
	}
	if len(r.ServiceTypes) > 0 && !slices.Contains(r.ServiceTypes, service) {
		return domain.Conflict("service_not_self_bookable", "service "+service.String()+" cannot be self-booked")
	}
	if iv.Start.Before(now.Add(time.Duration(r.MinNoticeMinutes) * time.Minute)) {
		return domain.Conflict("too_short_notice", "the slot starts sooner than the minimum notice")
	}
	if iv.Start.After(now.AddDate(0, 0, r.HorizonDays)) {
		return domain.Conflict("beyond_booking_horizon", "the slot is further ahead than self-booking allows")
	}
	if len(r.Hours) > 0 && !(Availability{Weekly: r.Hours}).Covers(iv, loc) {
		return domain.Conflict("slot_not_self_bookable", "the slot is outside the hours open for self-booking")
	}
	return nil
}
