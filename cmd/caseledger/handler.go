package main

import (
	"net/http"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/api/web"
	"github.com/caseledger/caseledger/domain/identity"
)

// handler builds the HTTP handler: /healthz and /readyz here, the JSON API under /api/v1 and
// /metrics from the api package, and the browser UI (api/web) everywhere else. The UI sits outside
// the API's header middleware because it sends its own, stricter CSP.
func (m *Main) handler() (http.Handler, error) {
	apiHandler, err := api.New(m.apiConfig())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthHandler)
	mux.HandleFunc("GET /readyz", m.readyHandler)
	mux.Handle("/api/v1/", apiHandler)
	mux.Handle("/metrics", apiHandler)
	mux.Handle("/", web.Handler())
	return mux, nil
}

// apiConfig is the API's configuration over the opened pools, event log and keyring; the HTTP
// handler and the identity timers share it, so both apply the same sign-in policy.
func (m *Main) apiConfig() api.Config {
	return api.Config{
		Pool:       m.App,
		Log:        m.Store,
		Sealer:     m.Keys,
		Index:      m.Keys,
		ReadModels: m.ReadModels,
		Shredder:   m.shredder(),
		Policy:     identity.DefaultPolicy(),
		Logger:     m.Logger,
		TLS:        m.Config.TLSCertFile != "" || m.Config.BehindTLSProxy,
	}
}
