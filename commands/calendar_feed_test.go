package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	id := s.book(t, s.at(t, "2026-03-04", 10, 0))
	from, to := s.clock.Now(), s.clock.Now().Add(30*24*time.Hour)
	h := commands.NewCalendarFeedHandler(s.deps)
	cases := []struct {
		name  string
		actor domain.Actor
		from  time.Time
		kind  domain.Kind
		code  string
	}{
		{"therapist", s.alice, from, "", ""},
		{"admin", s.admin, from, "", ""},
		{"another therapist", s.bob, from, domain.KindNotFound, "calendar_not_found"},
		{"the client", s.asClient(), from, domain.KindNotFound, "calendar_not_found"},
		{"reversed range", s.alice, to.Add(time.Hour), domain.KindInvalid, "invalid_range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			feed, err := h.Feed(ctx, tc.actor, s.alice.UserID, tc.from, to)
			if tc.kind != "" {
				wantKind(t, err, tc.kind, tc.code)
				return
			}
			must(t, err)
			f := string(feed)
			if !strings.Contains(f, "UID:"+id.String()+"@caseledger\r\n") || !strings.Contains(f, "DTSTART:20260304T100000Z\r\n") {
				t.Errorf("feed lacks the appointment:\n%s", f)
			}
			if strings.Contains(f, secret) || strings.Contains(f, s.client.String()) || strings.Contains(f, "Room") {
				t.Errorf("feed carries client data:\n%s", f)
			}
		})
	}
}
