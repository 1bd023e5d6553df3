package main

import (
	"context"
	"net/http"
)

// handler builds the HTTP handler: /healthz and /readyz here, everything else from the API.
func (m *Main) handler(_ context.Context) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthHandler)
	mux.HandleFunc("GET /readyz", m.readyHandler)
	return mux, nil
}
