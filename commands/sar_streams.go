package commands

import (
	"context"
	"errors"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

// SARStream returns "sar-<request id>", a subject access request's workflow, sealed under the
// client's key.
func SARStream(id domain.ID) eventstore.StreamID { return StreamFor("sar", id) }

// RetentionStream returns "retention-<client id>", the client's plaintext retention reviews.
func RetentionStream(clientID domain.ID) eventstore.StreamID { return StreamFor("retention", clientID) }

// ErasureProofStream returns "erasureproof-<erasure request id>", the plaintext proof that an
// approved erasure took effect.
func ErasureProofStream(request domain.ID) eventstore.StreamID {
	return StreamFor("erasureproof", request)
}

// LoadSAR reads and rebuilds a subject access request. A request that does not exist is a
// KindNotFound error ("sar_not_found"); one whose client was erased is KindErased ("sar_erased").
// It does not authorise.
func LoadSAR(ctx context.Context, d Deps, id domain.ID) (*sar.Request, Loaded, error) {
	l, err := loadStream(ctx, d, SARStream(id), sar.Decode)
	if err != nil {
		return nil, Loaded{}, erasedAs(err, "sar_erased", "subject access request "+id.String())
	}
	r, err := sar.Replay(id, l.Events)
	if err != nil {
		return nil, Loaded{}, err
	}
	return r, l, nil
}

// erasedAs turns an erased-subject error into a KindErased domain error with code about what.
func erasedAs(err error, code, what string) error {
	if errors.Is(err, domain.ErrErased) {
		return &domain.Error{Kind: domain.KindErased, Code: code, Message: what + " belongs to an erased client"}
	}
	return err
}

// authoriseSAR checks actor is one of parties for a step of a request about client c.
func authoriseSAR(c *client.Client, actor domain.Actor, action string, parties client.Party) error {
	return c.Authorise(actor, action+"_sar", parties)
}

// changeSAR is the body of every command on an existing request: load the request and its client,
// authorise actor as one of parties, decide, and append to the request's stream sealed under the
// client's key if the request is unchanged meanwhile (else KindConflict "concurrent_change").
func changeSAR(ctx context.Context, d Deps, actor domain.Actor, id domain.ID, action string, parties client.Party, decide func(*sar.Request, *client.Client) (domain.Event, error)) error {
	r, l, err := LoadSAR(ctx, d, id)
	if err != nil {
		return err
	}
	c, _, err := LoadClient(ctx, d, r.Client())
	if err != nil {
		return err
	}
	if err := authoriseSAR(c, actor, action, parties); err != nil {
		return err
	}
	ev, err := decide(r, c)
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, d, SARStream(id), l.Expected(), Envelope{Actor: actor, Subject: r.Client()}, ev)
	return concurrentChange(err)
}

// sarToday returns on, or the clock's date in UTC when on is zero.
func sarToday(d Deps, on sar.Date) sar.Date {
	if on.IsZero() {
		return sar.DateOf(d.Clock.Now().UTC())
	}
	return on
}

// sarWrongVersion reports whether err is the log refusing an append for its expected version.
func sarWrongVersion(err error) bool { return errors.Is(err, eventstore.ErrWrongExpectedVersion) }
