package commands

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
)

// PracticeStream returns "practice-<id>", the plaintext stream of a practice's settings.
func PracticeStream(id domain.ID) eventstore.StreamID { return StreamFor("practice", id) }

// ClientStream returns "client-<id>", the client's record, sealed under the client's key.
func ClientStream(id domain.ID) eventstore.StreamID { return StreamFor("client", id) }

// CaseloadStream returns "caseload-<therapist id>", the plaintext index of the client ids a
// therapist has been given. It is a superset of the records the therapist holds: the client
// stream is the truth, so readers check each client's holder.
func CaseloadStream(therapist domain.ID) eventstore.StreamID { return StreamFor("caseload", therapist) }

// LoadPractice reads and rebuilds a practice. A practice that does not exist is a KindNotFound
// error with code "practice_not_found".
func LoadPractice(ctx context.Context, d Deps, id domain.ID) (*practice.Practice, Loaded, error) {
	l, err := loadStream(ctx, d, PracticeStream(id), practice.Decode)
	if err != nil {
		return nil, Loaded{}, err
	}
	p := practice.Rebuild(l.Events)
	if p == nil {
		return nil, Loaded{}, domain.NotFound("practice", id)
	}
	return p, l, nil
}

// maxCachedClients bounds how many client streams the process keeps decoded in memory.
const maxCachedClients = 256

// clientStreams keeps the decoded events of recently loaded client streams (a streamCache): a
// command on a client decrypts only the events appended since the last load of that client in
// this process, not the whole history of consents, custody and audited reads. The decrypted
// events stay in memory for at most maxCachedClients clients; every load first opens the newest
// sealed event again, so a client whose key was shredded is never served from memory.
var clientStreams = newStreamCache(maxCachedClients)

// LoadClient reads and rebuilds a client's record, and the version to append after. It does not
// authorise: call (*client.Client).Visible or Authorise with the actor before using or revealing
// anything. A client that does not exist is a KindNotFound error ("client_not_found"); an erased
// client is a KindErased error ("client_erased"). Events read before by this process are taken
// from clientStreams; only newer ones are read from the log and decrypted.
func LoadClient(ctx context.Context, d Deps, id domain.ID) (*client.Client, Loaded, error) {
	l, err := clientStreams.load(ctx, d, ClientStream(id), client.Decode, true)
	if errors.Is(err, domain.ErrErased) {
		return nil, Loaded{}, &domain.Error{Kind: domain.KindErased, Code: "client_erased", Message: "client " + id.String() + " was erased"}
	}
	if err != nil {
		return nil, Loaded{}, err
	}
	c := client.Rebuild(l.Events)
	if c == nil {
		return nil, Loaded{}, domain.NotFound("client", id)
	}
	return c, l, nil
}

// loadClientAndPractice loads a client, checks that actor may see it, and loads its practice.
func loadClientAndPractice(ctx context.Context, d Deps, actor domain.Actor, id domain.ID) (*client.Client, Loaded, *practice.Practice, error) {
	c, l, err := LoadClient(ctx, d, id)
	if err != nil {
		return nil, Loaded{}, nil, err
	}
	if err := c.Visible(actor); err != nil {
		return nil, Loaded{}, nil, err
	}
	p, _, err := LoadPractice(ctx, d, c.PracticeID())
	if err != nil {
		return nil, Loaded{}, nil, err
	}
	return c, l, p, nil
}

// appendToClient appends events to the client's stream, sealed under the client's key, if the
// stream is still at the loaded version. A concurrent change is a KindConflict error with code
// "concurrent_change" that also matches eventstore.ErrWrongExpectedVersion.
func appendToClient(ctx context.Context, d Deps, id domain.ID, l Loaded, actor domain.Actor, events ...domain.Event) error {
	_, err := appendEvents(ctx, d, ClientStream(id), l.Expected(), Envelope{Actor: actor, Subject: id}, events...)
	return concurrentChange(err)
}

// concurrentChange turns a wrong expected version into a KindConflict error.
func concurrentChange(err error) error {
	if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		return errors.Join(domain.Conflict("concurrent_change", "the record changed meanwhile; retry"), err)
	}
	return err
}

// changeClient is the body of every command that loads a client, decides on it and appends the
// result: decide receives the visible client and its practice. A concurrent change is retried.
func changeClient(ctx context.Context, d Deps, actor domain.Actor, id domain.ID, decide func(*client.Client, *practice.Practice) (domain.Event, error)) error {
	return retryConcurrent(func() error {
		c, l, p, err := loadClientAndPractice(ctx, d, actor, id)
		if err != nil {
			return err
		}
		ev, err := decide(c, p)
		if err != nil {
			return err
		}
		return appendToClient(ctx, d, id, l, actor, ev)
	})
}

// concurrentAttempts is how many times in all a command decides before giving up on append races.
// accessAttempts is the same for recording a read (RecordAccessed): a page of the portal reads a
// client's appointments, booking options, waiting list, consent forms and erasure requests at
// once, each recording itself on the one client stream, and each round of racing appends lets one
// through, so one page needs up to five attempts and two pages at once up to ten.
const (
	concurrentAttempts = 5
	accessAttempts     = 10
)

// retryConcurrent runs attempt again, on fresh state, while it loses an append race (the stream
// changed between load and append), at most concurrentAttempts times in all. Other errors,
// including domain conflicts, are returned at once.
func retryConcurrent(attempt func() error) error {
	return retryConcurrentN(concurrentAttempts, attempt)
}

// retryConcurrentN is retryConcurrent with at most n attempts.
func retryConcurrentN(n int, attempt func() error) error {
	for i := 1; ; i++ {
		err := attempt()
		if i >= n || !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			return err
		}
	}
}

// changePractice loads a practice, decides on it and appends the result (plaintext: practice
// settings hold no personal data). A concurrent change is retried.
func changePractice(ctx context.Context, d Deps, actor domain.Actor, id domain.ID, decide func(*practice.Practice) (domain.Event, error)) error {
	return retryConcurrent(func() error {
		p, l, err := LoadPractice(ctx, d, id)
		if err != nil {
			return err
		}
		ev, err := decide(p)
		if err != nil {
			return err
		}
		_, err = appendEvents(ctx, d, PracticeStream(id), l.Expected(), Envelope{Actor: actor}, ev)
		return concurrentChange(err)
	})
}

// newID returns a fresh UUIDv7 as a domain.ID.
func newID() (domain.ID, error) {
	id, err := uuid.NewV7()
	return domain.ID(id), err
}
