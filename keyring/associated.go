package keyring

import (
	"encoding/binary"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// The associated data of every ciphertext the keyring makes starts with a label naming its layout,
// so that a ciphertext made for one purpose never opens in another. docs/keyring.md documents each
// layout byte for byte; changing one is a new label, never an edit.
const (
	labelEvent          = "caseledger/event-payload/v1\x00"
	labelValue          = "caseledger/field-value/v1\x00"
	labelSubjectKeyset  = "caseledger/subject-keyset/v1\x00"
	labelPracticeKeyset = "caseledger/practice-keyset/v1\x00"
	labelMasterCheck    = "caseledger/master-check/v1\x00"
	labelToken          = "caseledger/blind-index/v1\x00"
)

// eventAD binds an event payload to its event id, subject, stream and type:
//
//	label || event id (16) || subject (16) || u32be len(stream) || stream || u32be len(type) || type
func eventAD(id, subject uuid.UUID, stream eventstore.StreamID, eventType string) []byte {
	return appendEventAD(make([]byte, 0, len(labelEvent)+32+8+len(stream)+len(eventType)), id, subject, stream, eventType)
}

// appendEventAD appends eventAD's bytes to b.
func appendEventAD(b []byte, id, subject uuid.UUID, stream eventstore.StreamID, eventType string) []byte {
	b = append(b, labelEvent...)
	b = append(b, id[:]...)
	b = append(b, subject[:]...)
	b = appendBytes32(b, []byte(stream))
	b = appendBytes32(b, []byte(eventType))
	return b
}

// valueAD binds a field value to its subject and the caller's associated data:
//
//	label || subject (16) || u32be len(ad) || ad
func valueAD(subject uuid.UUID, ad []byte) []byte {
	b := make([]byte, 0, len(labelValue)+16+4+len(ad))
	b = append(b, labelValue...)
	b = append(b, subject[:]...)
	return appendBytes32(b, ad)
}

// subjectKeysetAD is what the master AEAD binds a subject's wrapped keyset to: label || subject (16).
func subjectKeysetAD(subject uuid.UUID) []byte {
	return append([]byte(labelSubjectKeyset), subject[:]...)
}

// practiceKeysetAD binds a practice-wide keyset to its name: label || u32be len(name) || name.
func practiceKeysetAD(name string) []byte {
	return appendBytes32([]byte(labelPracticeKeyset), []byte(name))
}

// masterCheckAD binds a master key's check value to the master id: label || u32be len(id) || id.
func masterCheckAD(id string) []byte {
	return appendBytes32([]byte(labelMasterCheck), []byte(id))
}

// tokenInput is the PRF input of a blind-index token:
//
//	label || u32be len(purpose) || purpose || u32be len(value) || value
func tokenInput(purpose, value string) []byte {
	b := make([]byte, 0, len(labelToken)+8+len(purpose)+len(value))
	b = append(b, labelToken...)
	b = appendBytes32(b, []byte(purpose))
	return appendBytes32(b, []byte(value))
}

func appendBytes32(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
