package identity_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

var allEvents = []domain.Event{
	identity.UserRegistered{UserID: uid, Role: domain.RoleTherapist, Email: "a@b.example", PasswordHash: "h", At: t0},
	identity.UserPasswordChanged{PasswordHash: "h2", At: t0},
	identity.UserRoleChanged{From: domain.RoleTherapist, To: domain.RoleDPO, At: t0},
	identity.UserSignedIn{SessionID: domain.ID{4}, Method: identity.MethodTOTP, TOTPStep: 7, At: t0},
	identity.UserSignInFailed{Reason: identity.ReasonBadPassword, At: t0},
	identity.UserLockedOut{Failures: 5, Until: t0, At: t0},
	identity.UserDisabled{Reason: "dormant", At: t0},
	identity.UserEnabled{At: t0},
	identity.UserTOTPEnrolled{Secret: "S", At: t0},
	identity.UserTOTPConfirmed{Step: 3, At: t0},
	identity.UserTOTPReset{At: t0},
	identity.UserRecoveryCodesIssued{Hashes: []string{"a", "b"}, At: t0},
	identity.UserRecoveryCodeUsed{Index: 1, At: t0},
	identity.StaffTOTPRequirementSet{Required: true, At: t0},
	identity.EmergencyAccessGranted{GrantID: domain.ID{5}, TherapistID: domain.ID{6}, ClientID: domain.ID{7}, Reason: "r", Until: t0, At: t0},
}

func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, ev := range allEvents {
		t.Run(ev.EventType(), func(t *testing.T) {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := identity.Decode(ev.EventType(), 1, b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ev) {
				t.Fatalf("got %#v, want %#v", got, ev)
			}
		})
	}
	if _, err := identity.Decode("Nope", 1, []byte(`{}`)); domain.KindOf(err) != domain.KindInvalid {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := identity.Decode("UserEnabled", 2, []byte(`{}`)); domain.KindOf(err) != domain.KindInvalid {
		t.Fatalf("unknown version: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, ev := range allEvents {
		b, _ := json.Marshal(ev)
		f.Add(ev.EventType(), 1, b)
	}
	f.Add("UserRegistered", 1, []byte(`{"user_id":"x"}`))
	f.Fuzz(func(t *testing.T, typ string, v int, payload []byte) {
		ev, err := identity.Decode(typ, v, payload)
		if err != nil && domain.KindOf(err) != domain.KindInvalid {
			t.Fatalf("error of kind %q: %v", domain.KindOf(err), err)
		}
		if err == nil {
			identity.FromHistory([]domain.Event{ev}) // applying any decoded event never panics
		}
	})
}
