package main

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
