package main

import (
	"net/http"

	"github.com/caseledger/caseledger/api"
)

// handler builds the HTTP handler: /healthz and /readyz here, everything else (the JSON API
// under /api/v1 and /metrics) from the api package.
func (m *Main) handler() (http.Handler, error) {
	apiHandler, err := api.New(api.Config{
		Pool:       m.App,
		Log:        m.Store,
		Sealer:     m.Keys,
		Index:      m.Keys,
		ReadModels: m.ReadModels,
		Shredder:   m.shredder(),
		Logger:     m.Logger,
		TLS:        m.Config.TLSCertFile != "" || m.Config.BehindTLSProxy,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthHandler)
	mux.HandleFunc("GET /readyz", m.readyHandler)
	mux.Handle("/", apiHandler)
	return mux, nil
}
