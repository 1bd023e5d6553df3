package main_test

import (
	"strings"
	"testing"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/testdata/demo"
)

func TestParseDemo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		wantErr bool
	}{
		{name: "the embedded demo practice", data: string(demo.PracticeJSON)},
		{name: "empty object", data: `{}`},
		{name: "unknown field", data: `{"practise": {}}`, wantErr: true},
		{name: "wrong type", data: `{"users": {}}`, wantErr: true},
		{name: "bad weekday", data: `{"clients": [{"appointments": [{"weekday": "someday"}]}]}`, wantErr: true},
		{name: "not json", data: `practice`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := main.ParseDemo([]byte(tt.data)); (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func FuzzParseDemo(f *testing.F) {
	f.Add(demo.PracticeJSON)
	f.Add([]byte(`{"practice":{"calendar":{"time_zone":"Europe/London"}},"users":[{"role":"admin"}]}`))
	f.Add([]byte(`{"clients":[{"details":{"date_of_birth":"1990-01-01"},"appointments":[{"weekday":"monday","week":-1}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = main.ParseDemo(data) // must not panic
	})
}

func FuzzConfigFromEnv(f *testing.F) {
	f.Add("postgres://u:secret@h:5432/db", "127.0.0.1:8080", "on", "1h", "info")
	f.Add("mysql://u:secret@h/db", "nope", "maybe", "-5s", "loud")
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, dbURL, listen, private, interval, level string) {
		vars := map[string]string{
			"CASELEDGER_DATABASE_URL":        dbURL,
			"CASELEDGER_LISTEN":              listen,
			"CASELEDGER_PRIVATE_CLUSTER":     private,
			"CASELEDGER_CHECKPOINT_INTERVAL": interval,
			"CASELEDGER_LOG_LEVEL":           level,
		}
		cfg, err := main.ConfigFromEnv(env(vars))
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil && strings.Contains(dbURL, ":secret@") && strings.Contains(err.Error(), "secret") {
			t.Fatalf("error echoes the database password: %v", err)
		}
	})
}
