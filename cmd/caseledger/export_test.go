package main

// Test hooks: unexported functions that the black-box tests in package main_test call.
var (
	FindPostgresBinariesIn = findPostgresBinariesIn
	PostgresCandidates     = postgresCandidates
)
