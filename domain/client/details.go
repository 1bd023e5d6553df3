package client

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
)

// Details is what the practice knows about a client as a person. Everything here is personal
// data: it travels only inside sealed events and never appears in errors or logs.
type Details struct {
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	PreferredName string `json:"preferred_name,omitempty"`
	// DateOfBirth is a calendar date, "YYYY-MM-DD".
	DateOfBirth      string       `json:"date_of_birth"`
	Email            string       `json:"email,omitempty"`
	Phone            string       `json:"phone,omitempty"`
	Address          *Address     `json:"address,omitempty"`
	EmergencyContact *Contact     `json:"emergency_contact,omitempty"`
	PrimaryCare      *PrimaryCare `json:"primary_care,omitempty"`
}

// Address is a postal address.
type Address struct {
	Lines      []string `json:"lines"`
	Locality   string   `json:"locality,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code,omitempty"`
	Country    string   `json:"country,omitempty"`
}

// Contact is a person to reach, such as an emergency contact.
type Contact struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
}

// PrimaryCare is the client's GP or primary-care provider.
type PrimaryCare struct {
	Name     string   `json:"name,omitempty"`
	Practice string   `json:"practice"`
	Phone    string   `json:"phone,omitempty"`
	Address  *Address `json:"address,omitempty"`
}

const maxTextBytes = 300

// DateLayout is the layout of dates of birth.
const DateLayout = "2006-01-02"

// Normalised validates d and returns it with surrounding spaces trimmed and the email lower-cased.
// today is the date against which a date of birth in the future is refused. Errors name the
// field, never its value.
func (d Details) Normalised(today time.Time) (Details, error) {
	var errs []error
	text := func(field string, s *string, required bool) {
		*s = strings.TrimSpace(*s)
		switch {
		case *s == "" && required:
			errs = append(errs, domain.Invalid(field, "is required"))
		case len(*s) > maxTextBytes || !utf8.ValidString(*s):
			errs = append(errs, domain.Invalid(field, "must be UTF-8 of at most 300 bytes"))
		}
	}
	text("given_name", &d.GivenName, true)
	text("family_name", &d.FamilyName, true)
	text("preferred_name", &d.PreferredName, false)
	if dob, err := time.Parse(DateLayout, d.DateOfBirth); err != nil {
		errs = append(errs, domain.Invalid("date_of_birth", "must be a date YYYY-MM-DD"))
	} else if dob.After(today) || dob.Year() < 1900 {
		errs = append(errs, domain.Invalid("date_of_birth", "is out of range"))
	}
	if e, ok := normaliseEmail(d.Email); ok {
		d.Email = e
	} else {
		errs = append(errs, domain.Invalid("email", "is not an email address"))
	}
	if p, ok := normalisePhone(d.Phone); ok {
		d.Phone = p
	} else {
		errs = append(errs, domain.Invalid("phone", "is not a phone number"))
	}
	if d.Address != nil {
		a, err := d.Address.normalised("address")
		errs = append(errs, err)
		d.Address = a
	}
	if c := d.EmergencyContact; c != nil {
		c := *c
		text("emergency_contact.name", &c.Name, true)
		text("emergency_contact.relationship", &c.Relationship, false)
		var ok bool
		if c.Phone, ok = normalisePhone(c.Phone); !ok {
			errs = append(errs, domain.Invalid("emergency_contact.phone", "is not a phone number"))
		}
		if c.Email, ok = normaliseEmail(c.Email); !ok {
			errs = append(errs, domain.Invalid("emergency_contact.email", "is not an email address"))
		}
		d.EmergencyContact = &c
	}
	if g := d.PrimaryCare; g != nil {
		g := *g
		text("primary_care.name", &g.Name, false)
		text("primary_care.practice", &g.Practice, true)
		var ok bool
		if g.Phone, ok = normalisePhone(g.Phone); !ok {
			errs = append(errs, domain.Invalid("primary_care.phone", "is not a phone number"))
		}
		if g.Address != nil {
			a, err := g.Address.normalised("primary_care.address")
			errs = append(errs, err)
			g.Address = a
		}
		d.PrimaryCare = &g
	}
	for _, err := range errs {
		if err != nil {
			return Details{}, err
		}
	}
	return d, nil
}

// Birth returns the date of birth as midnight UTC; ok is false when it does not parse.
func (d Details) Birth() (time.Time, bool) {
	t, err := time.Parse(DateLayout, d.DateOfBirth)
	return t, err == nil
}

func (a *Address) normalised(field string) (*Address, error) {
	out := Address{
		Locality: strings.TrimSpace(a.Locality), Region: strings.TrimSpace(a.Region),
		PostalCode: strings.TrimSpace(a.PostalCode), Country: strings.TrimSpace(a.Country),
	}
	for _, l := range a.Lines {
		if l = strings.TrimSpace(l); l != "" {
			out.Lines = append(out.Lines, l)
		}
	}
	if len(out.Lines) == 0 || len(out.Lines) > 5 {
		return nil, domain.Invalid(field, "needs 1 to 5 lines")
	}
	for _, s := range append(out.Lines, out.Locality, out.Region, out.PostalCode, out.Country) {
		if len(s) > maxTextBytes || !utf8.ValidString(s) {
			return nil, domain.Invalid(field, "has a part over 300 bytes or not UTF-8")
		}
	}
	return &out, nil
}

// normaliseEmail trims and lower-cases an optional email address; ok is false when it is set but
// not a bare address.
func normaliseEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", false
	}
	return s, true
}

// normalisePhone trims an optional phone number; ok is false unless it holds 5 to 20 digits and
// only digits, spaces and + - ( ) .
func normalisePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case strings.ContainsRune(" +-().", c):
		default:
			return "", false
		}
	}
	return s, digits >= 5 && digits <= 20 && len(s) <= 32
}

// changedFields names the top-level fields that differ between a and b, in a fixed order.
func changedFields(a, b Details) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("given_name", a.GivenName != b.GivenName)
	add("family_name", a.FamilyName != b.FamilyName)
	add("preferred_name", a.PreferredName != b.PreferredName)
	add("date_of_birth", a.DateOfBirth != b.DateOfBirth)
	add("email", a.Email != b.Email)
	add("phone", a.Phone != b.Phone)
	add("address", !equalAddress(a.Address, b.Address))
	add("emergency_contact", !equalPtr(a.EmergencyContact, b.EmergencyContact))
	add("primary_care", !equalPrimaryCare(a.PrimaryCare, b.PrimaryCare))
	return out
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func equalAddress(a, b *Address) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		if a.Lines[i] != b.Lines[i] {
			return false
		}
	}
	return a.Locality == b.Locality && a.Region == b.Region && a.PostalCode == b.PostalCode && a.Country == b.Country
}

func equalPrimaryCare(a, b *PrimaryCare) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Practice == b.Practice && a.Phone == b.Phone && equalAddress(a.Address, b.Address)
}
