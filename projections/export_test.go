package projections

// CopyCounts returns how many COPYs so far had their rows encoded by appendCopyRows and how many
// were left to pgx, for the black-box tests.
func CopyCounts() (encoded, byPgx int64) { return copiesEncoded.Load(), copiesByPgx.Load() }
