package api

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// signInLimiter caps sign-in attempts per client address per minute, in memory, so one address
// cannot spray passwords across many accounts (the per-account lockout is in the event log). The
// address is the connection's peer: put the proxy's own limit in front when behind one. It holds
// addresses only in memory and never logs them. Safe for concurrent use.
type signInLimiter struct {
	mu      sync.Mutex
	perMin  int
	windows map[string]*window
}

type window struct {
	start time.Time
	count int
}

func newSignInLimiter(perMinute int) *signInLimiter {
	return &signInLimiter{perMin: perMinute, windows: map[string]*window{}}
}

// allow counts an attempt from r's address at now and returns a *identity.WaitError with code
// "too_many_requests" past the limit.
func (l *signInLimiter) allow(r *http.Request, now time.Time) error {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.windows) > 100_000 {
		for k, w := range l.windows {
			if now.Sub(w.start) >= time.Minute {
				delete(l.windows, k)
			}
		}
	}
	w := l.windows[host]
	if w == nil || now.Sub(w.start) >= time.Minute {
		w = &window{start: now}
		l.windows[host] = w
	}
	w.count++
	if w.count > l.perMin {
		return &identity.WaitError{
			Err:   apiError(domain.KindConflict, "too_many_requests", "too many sign-in attempts from this address; wait a minute"),
			Until: w.start.Add(time.Minute),
		}
	}
	return nil
}
