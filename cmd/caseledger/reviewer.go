package main

import (
	"flag"

	"github.com/caseledger/caseledger/domain"
)

// reviewerFlags defines --user and --role on fs for a command that an auditor (the default role)
// or the DPO may run, such as audit export and replay. The returned function, called once fs was
// parsed, gives the actor they name, or a usage error when the role is neither auditor nor dpo or
// the user id is missing or malformed.
func reviewerFlags(fs *flag.FlagSet) func() (domain.Actor, error) {
	user := fs.String("user", "", "the auditor's or DPO's user `id`")
	role := fs.String("role", "auditor", "the role acted in: auditor or dpo")
	return func() (domain.Actor, error) {
		if *role != string(domain.RoleAuditor) && *role != string(domain.RoleDPO) {
			return domain.Actor{}, usageError("--role: want auditor or dpo")
		}
		return operator(*user, domain.Role(*role))
	}
}
