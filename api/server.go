package api

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// server holds what the handlers share. Everything in it is safe for concurrent use.
type server struct {
	cfg     Config
	clock   commands.Clock
	logger  *slog.Logger
	metrics *metrics
	creds   credentialStore
	limiter *signInLimiter
	ident   commands.IdentityDeps
	grants  emergencyGrants
}

// identityDeps builds the identity commands' dependencies from a configuration with defaults
// applied.
func identityDeps(cfg Config) commands.IdentityDeps {
	return commands.IdentityDeps{
		Deps:      commands.Deps{Log: cfg.Log, Sealer: cfg.Sealer, Clock: cfg.Clock},
		Directory: emailDirectory{pool: cfg.Pool},
		Index:     cfg.Index,
		Hasher:    cfg.Hasher,
		Policy:    cfg.Policy,
		Unknown:   commands.NewUnknownEmails(commands.DefaultUnknownEmails),
	}
}

// deps returns the command dependencies.
func (s *server) deps() commands.Deps { return s.ident.Deps }

// New builds the HTTP handler: the JSON API under /api/v1 (its OpenAPI document at
// /api/v1/openapi.json) and Prometheus metrics at /metrics, behind security headers, metrics and
// a PII-free JSON access log. It fails when cfg does not validate or the metrics cannot be
// registered (a Registry already holding them).
func New(cfg Config) (http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	s := &server{
		cfg:     cfg,
		clock:   cfg.Clock,
		logger:  cfg.Logger,
		metrics: m,
		creds:   credentialStore{pool: cfg.Pool},
		limiter: newSignInLimiter(cfg.SignInsPerMinute),
		ident:   identityDeps(cfg),
		grants:  emergencyGrants{pool: cfg.Pool},
	}
	return s.handler(), nil
}

// handler wraps the router in the security headers and the observing middleware.
func (s *server) handler() http.Handler {
	return securityHeaders(s.cfg.TLS, s.observe(s.router()))
}

// router registers routes() under /api/v1, /metrics, and problem answers for unknown routes and
// methods.
func (s *server) router() *mux.Router {
	r := mux.NewRouter()
	for _, rt := range s.routes() {
		r.Handle("/api/v1"+rt.path, s.wrap(rt)).Methods(rt.method)
	}
	r.Handle("/metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, apiError(domain.KindNotFound, "route_not_found", "no such route"))
	})
	notAllowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, apiError(domain.KindInvalid, "method_not_allowed", "this route does not accept this method"))
	})
	r.NotFoundHandler = notFound
	r.MethodNotAllowedHandler = notAllowed
	return r
}

// route is one API endpoint. Unless public, the caller must be authenticated; roles, when set,
// lists the roles allowed (others get 403 "role_forbidden"); enrol allows sessions that must first
// enrol a second factor; sessionOnly refuses bearer tokens.
type route struct {
	method, path string
	public       bool
	roles        []domain.Role
	enrol        bool
	sessionOnly  bool
	handle       func(w http.ResponseWriter, r *http.Request) error
}

// wrap applies a route's access rules, then runs it, answering its error as problem+json.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		info.route = "/api/v1" + rt.path
		if !rt.public {
			p, err := s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			info.principal = p
			if err := rt.allows(p); err != nil {
				s.writeError(w, r, err)
				return
			}
			r = r.WithContext(contextWithPrincipal(r.Context(), p))
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// allows checks the route's role, stage and credential rules for p.
func (rt route) allows(p *principal) error {
	if p.session != nil && p.session.stage == stageEnrolTOTP && !rt.enrol {
		return apiError(domain.KindForbidden, "totp_enrolment_required", "enrol a second factor (POST /api/v1/me/totp) before anything else")
	}
	if rt.sessionOnly && p.session == nil {
		return apiError(domain.KindForbidden, "session_required", "this route needs a signed-in session, not a bearer token")
	}
	if rt.roles != nil && !slices.Contains(rt.roles, p.actor.Role) {
		return apiError(domain.KindForbidden, "role_forbidden", "this role may not use this route")
	}
	return nil
}
