package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the HTTP figures served at /metrics, labelled by route template, never raw paths.
type metrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	signIns   *prometheus.CounterVec
	emergency prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseledger_http_requests_total",
			Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caseledger_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	m.signIns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "caseledger_sign_ins_total",
		Help: "Sign-in attempts by outcome: ok, or the refusal's problem code (invalid_credentials, account_locked, ...).",
	}, []string{"outcome"})
	m.emergency = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "caseledger_emergency_access_grants_total",
		Help: "Break-glass grants made (each is listed for the DPO at /api/v1/emergency-access).",
	})
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.signIns, m.emergency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// observe gives each request its requestInfo, recovers panics as 500 problems, and afterwards
// records metrics and one JSON access-log line: request id, method, route template, status,
// duration, error code, user id and role. It never logs the raw path, the query string, headers or
// bodies, which may carry personal data.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, info := withInfo(r.Context())
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		w.Header().Set("X-Request-Id", info.requestID)
		func() {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					s.logger.Error("handler panicked", slog.String("request_id", info.requestID), slog.String("route", info.route))
					if rec.status == 0 {
						s.writeError(rec, r, errPanic)
					}
				}
			}()
			next.ServeHTTP(rec, r)
		}()
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		status := strconv.Itoa(rec.status)
		s.metrics.requests.WithLabelValues(r.Method, info.route, status).Inc()
		s.metrics.duration.WithLabelValues(r.Method, info.route).Observe(elapsed.Seconds())
		attrs := []slog.Attr{
			slog.String("request_id", info.requestID),
			slog.String("method", r.Method),
			slog.String("route", info.route),
			slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		}
		if info.code != "" {
			attrs = append(attrs, slog.String("code", info.code))
		}
		if p := info.principal; p != nil {
			attrs = append(attrs, slog.String("user_id", p.actor.UserID.String()), slog.String("role", string(p.actor.Role)))
		}
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
	})
}

// errPanic is the error answered when a handler panicked: a plain 500.
var errPanic = errPanicType{}

type errPanicType struct{}

func (errPanicType) Error() string { return "handler panicked" }
