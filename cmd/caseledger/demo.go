package main

import "context"

// seedDemoIfEmpty seeds the demo practice when the database holds no events yet.
func (m *Main) seedDemoIfEmpty(ctx context.Context) error {
	m.Logger.Warn("demo seeding is not available yet")
	return nil
}
