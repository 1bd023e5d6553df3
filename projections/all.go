package projections

// All returns every projector of Caseledger, opening sealed events and values with keys: the set
// an Engine runs in production. Their names are part of the deployed state (checkpoints) and never
// change.
func All(keys Keys) []Projector {
	return []Projector{Clients{Keys: keys}, Appointments{Keys: keys}, Notes{Keys: keys}, PracticeReports{Keys: keys}, Audit{Keys: keys}}
}
