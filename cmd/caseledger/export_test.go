package main

import "time"

// Test hooks: unexported functions that the black-box tests in package main_test call.
var (
	FindPostgresBinariesIn = findPostgresBinariesIn
	PostgresCandidates     = postgresCandidates
)

// ParseDemo decodes a demo practice file strictly and reports only whether it is valid.
func ParseDemo(data []byte) error {
	_, err := parseDemo(data)
	return err
}

// RunAsLeader is runAsLeader, for the leadership tests.
var RunAsLeader = runAsLeader

// SetLeaderRetry sets how often m tries to lead; call it before Run.
func (m *Main) SetLeaderRetry(d time.Duration) { m.leaderRetry = d }
