package api

import (
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain"
)

// requestTypes returns a fresh value of every request body type the API decodes.
func requestTypes() []any {
	return []any{
		&signInRequest{}, &totpConfirmRequest{}, &registerUserRequest{}, &roleRequest{}, &statusRequest{}, &passwordRequest{}, &securitySettingsRequest{},
		&openPracticeRequest{}, &staffRequest{}, &serviceTypeRequest{}, &consentTemplateRequest{}, &consentRuleRequest{},
		&noteTemplateRequest{}, &retentionRequest{}, &caseloadTransferRequest{},
		&registerClientRequest{}, &detailsRequest{}, &dischargeRequest{}, &readmissionRequest{}, &restrictionRequest{}, &signConsentRequest{},
		&sharingConsentRequest{}, &transferRequest{}, &erasureRequest{}, &erasureDecisionRequest{}, &emergencyAccessRequest{},
		&draftNoteRequest{}, &reviseNoteRequest{}, &signNoteRequest{}, &addendumRequest{},
		&calendarPolicyRequest{}, &weeklyHoursRequest{}, &exceptionRequest{}, &selfBookingRequest{}, &holdRequest{},
		&bookRequest{}, &seriesRequest{}, &moveRequest{}, &reasonRequest{}, &joinWaitlistRequest{}, &clientSearchRequest{},
		&receiveSARRequest{}, &sarIdentityRequest{}, &extendSARRequest{}, &refuseSARRequest{}, &reviewSARRequest{},
		&releaseSARRequest{}, &resolveRetentionRequest{},
	}
}

// FuzzDecodeRequests feeds arbitrary bytes to the strict decoder for every request type: it never
// panics, and every failure is a KindInvalid domain error with a code.
func FuzzDecodeRequests(f *testing.F) {
	seeds := []string{
		`{"email":"a@b.example","password":"x","totp_code":"123456"}`,
		`{"code":"123456"}`,
		`{"id":"01890000-0000-7000-8000-000000000000","email":"a@b.example","password":"p","role":"therapist"}`,
		`{"role":"dpo"}`, `{"disabled":true}`,
		`{"practice_id":"01890000-0000-7000-8000-000000000000","therapist_id":"01890000-0000-7000-8000-000000000001","details":{"given_name":"A","family_name":"B","date_of_birth":"1990-01-02","address":{"lines":["1 Road"]}}}`,
		`{"hours":[{"weekday":1,"start":"09:00","end":"17:00"}]}`,
		`{"time_zone":"Europe/London","buffer_minutes":10,"late_cancel_fee":{"amount_minor":2500,"currency":"GBP"}}`,
		`{"kind":"progress","template_id":"01890000-0000-7000-8000-000000000000","fields":{"s":"x"}}`,
		`{"to":"01890000-0000-7000-8000-000000000000","basis":"dpo_decision","consented_at":"2026-01-02T03:04:05Z"}`, `{"unknown":1}`, `{"id":"nope"}`, `[]`, `{} {}`, `{"email":5}`, ``, `nul`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range requestTypes() {
			err := decodeJSON(body, dst)
			if err == nil {
				continue
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Code == "" {
				t.Fatalf("%T: error %v is not a coded invalid-input error", dst, err)
			}
		}
	})
}
