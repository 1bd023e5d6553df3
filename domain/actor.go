package domain

// Role is what a user acts as. A user has exactly one role per action.
type Role string

// The roles of a practice.
const (
	RoleTherapist       Role = "therapist"
	RolePracticeManager Role = "practice_manager"
	RoleDPO             Role = "dpo"
	RoleAuditor         Role = "auditor"
	RoleAdmin           Role = "admin"
	RoleClient          Role = "client"
	// RoleSystem is the software acting on its own (retention sweeps, scheduled checkpoints).
	RoleSystem Role = "system"
)

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool {
	switch r {
	case RoleTherapist, RolePracticeManager, RoleDPO, RoleAuditor, RoleAdmin, RoleClient, RoleSystem:
		return true
	}
	return false
}

// Actor is who asks for a command or a read: a user id and the role they act in. For a client
// acting through the portal, UserID is the client's id. Actors never carry names.
type Actor struct {
	UserID ID   `json:"user_id"`
	Role   Role `json:"role"`
}

// Is reports whether a is the given user acting in the given role.
func (a Actor) Is(user ID, role Role) bool { return a.UserID == user && a.Role == role }
