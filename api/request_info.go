package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// requestInfo is what the outer middleware learns from the inner handlers: the matched route
// template, the authenticated actor and the error code, for access logs and metrics. It holds ids
// and templates only, never a raw path or query string.
type requestInfo struct {
	requestID string
	route     string
	principal *principal
	code      string
}

type infoKey struct{}

// withInfo returns ctx carrying a fresh requestInfo with a random request id.
func withInfo(ctx context.Context) (context.Context, *requestInfo) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	info := &requestInfo{requestID: hex.EncodeToString(b[:]), route: "unmatched"}
	return context.WithValue(ctx, infoKey{}, info), info
}

// infoFrom returns the request's info; a detached one when the middleware did not run.
func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{route: "unmatched"}
}
