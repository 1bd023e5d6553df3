package main

import (
	"net/http"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/domain/identity"
)

// handler builds the HTTP handler: /healthz and /readyz here, everything else (the JSON API
// under /api/v1 and /metrics) from the api package.
func (m *Main) handler() (http.Handler, error) {
	apiHandler, err := api.New(m.apiConfig())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthHandler)
	mux.HandleFunc("GET /readyz", m.readyHandler)
	mux.Handle("/", apiHandler)
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
