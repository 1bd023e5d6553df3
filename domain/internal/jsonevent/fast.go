package jsonevent

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// fastDecode decodes payload into the zero value v points to in one pass, without encoding/json,
// when payload is in the form json.Marshal writes events in: keys that name fields exactly, each
// once, strings without escape sequences, integers without fraction or exponent, nothing after
// the value. It reports false for anything else (v may then be partly written), and Strict lets
// encoding/json decide: decode the rarer forms it accepts, and word every refusal. So whatever
// fastDecode takes, encoding/json would decode to the same value (FuzzFastDecode checks this for
// every event type); it is only faster. A type it cannot decode that way (an interface, a float,
// an embedded struct, a json.Unmarshaler other than time.Time) is never taken.
func fastDecode(payload []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	p := planOf(rv.Type().Elem())
	if p == nil {
		return false
	}
	d := fastDecoder{data: payload}
	d.space()
	if !d.value(p, rv.Elem()) {
		return false
	}
	d.space()
	return d.i == len(d.data)
}

// planKind is how a Go type is decoded.
type planKind uint8

const (
	planString planKind = iota
	planBool
	planInt
	planUint
	planBytes
	planTime
	planText
	planStruct
	planPointer
	planSlice
	planMap
)

// plan is how fastDecode decodes one Go type; nil means it does not.
type plan struct {
	kind   planKind
	typ    reflect.Type
	fields []fieldPlan // planStruct
	elem   *plan       // planPointer, planSlice, planMap
}

// fieldPlan is one field a struct's JSON objects may name.
type fieldPlan struct {
	name  string
	index int
	plan  *plan
}

var (
	plans           sync.Map // reflect.Type -> *plan, or noPlan
	noPlan          = &plan{}
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// planOf returns t's plan, made once, or nil when fastDecode does not decode t.
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return usable(p.(*plan))
	}
	p := makePlan(t, map[reflect.Type]bool{})
	if p == nil {
		p = noPlan
	}
	plans.Store(t, p)
	return usable(p)
}

func usable(p *plan) *plan {
	if p == noPlan {
		return nil
	}
	return p
}

// makePlan follows encoding/json's rules for the types it takes: a pointer is allocated and its
// element decoded; then a json.Unmarshaler decides for itself (only time.Time's is known here); then
// an encoding.TextUnmarshaler takes strings; then the kind decides. visiting guards against
// recursive types, which are not taken.
func makePlan(t reflect.Type, visiting map[reflect.Type]bool) *plan {
	if visiting[t] {
		return nil
	}
	visiting[t] = true
	defer delete(visiting, t)
	if t.Kind() == reflect.Pointer {
		if t.Name() != "" {
			return nil
		}
		if elem := makePlan(t.Elem(), visiting); elem != nil {
			return &plan{kind: planPointer, typ: t, elem: elem}
		}
		return nil
	}
	pt := reflect.PointerTo(t)
	switch {
	case t == timeType:
		return &plan{kind: planTime, typ: t}
	case pt.Implements(unmarshalerType):
		return nil
	case pt.Implements(textType):
		return &plan{kind: planText, typ: t}
	}
	switch t.Kind() {
	case reflect.String:
		return &plan{kind: planString, typ: t}
	case reflect.Bool:
		return &plan{kind: planBool, typ: t}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &plan{kind: planInt, typ: t}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &plan{kind: planUint, typ: t}
	case reflect.Slice:
		if et := reflect.PointerTo(t.Elem()); t.Elem().Kind() == reflect.Uint8 && !et.Implements(textType) && !et.Implements(unmarshalerType) {
			return &plan{kind: planBytes, typ: t}
		}
		if elem := makePlan(t.Elem(), visiting); elem != nil {
			return &plan{kind: planSlice, typ: t, elem: elem}
		}
	case reflect.Map:
		if kt := t.Key(); kt.Kind() != reflect.String || reflect.PointerTo(kt).Implements(textType) {
			return nil
		}
		if elem := makePlan(t.Elem(), visiting); elem != nil {
			return &plan{kind: planMap, typ: t, elem: elem}
		}
	case reflect.Struct:
		return structPlan(t, visiting)
	}
	return nil
}

// structPlan takes a struct whose exported fields are all named plainly (no embedding, no
// ",string" option) with distinct names and decodable types.
func structPlan(t reflect.Type, visiting map[reflect.Type]bool) *plan {
	p := &plan{kind: planStruct, typ: t}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") || !plainName(name) {
			return nil
		}
		if name == "" {
			name = f.Name
		}
		fold := strings.ToLower(name)
		if seen[fold] {
			return nil
		}
		seen[fold] = true
		fp := makePlan(f.Type, visiting)
		if fp == nil {
			return nil
		}
		p.fields = append(p.fields, fieldPlan{name: name, index: i, plan: fp})
	}
	return p
}

// plainName reports whether a tag's name is empty or of ASCII letters, digits and underscores: a
// name encoding/json takes as it is.
func plainName(name string) bool {
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// fastDecoder reads data from i.
type fastDecoder struct {
	data []byte
	i    int
}

func (d *fastDecoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// literal consumes lit if it comes next.
func (d *fastDecoder) literal(lit string) bool {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		return false
	}
	d.i += len(lit)
	return true
}

// value decodes the next JSON value into v by p. A null leaves v as it is: zero, as encoding/json
// leaves a fresh value it meets null for.
func (d *fastDecoder) value(p *plan, v reflect.Value) bool {
	if d.i >= len(d.data) {
		return false
	}
	if d.data[d.i] == 'n' {
		return d.literal("null")
	}
	switch p.kind {
	case planString:
		s, ok := d.str()
		if ok {
			v.SetString(string(s))
		}
		return ok
	case planBool:
		switch {
		case d.literal("true"):
			v.SetBool(true)
		case d.literal("false"):
			v.SetBool(false)
		default:
			return false
		}
		return true
	case planInt:
		n, ok := d.integer()
		if !ok {
			return false
		}
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v.OverflowInt(i) {
			return false
		}
		v.SetInt(i)
		return true
	case planUint:
		n, ok := d.integer()
		if !ok {
			return false
		}
		u, err := strconv.ParseUint(n, 10, 64)
		if err != nil || v.OverflowUint(u) {
			return false
		}
		v.SetUint(u)
		return true
	case planBytes:
		s, ok := d.str()
		if !ok {
			return false
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			return false
		}
		v.SetBytes(b[:n])
		return true
	case planTime:
		s, ok := d.str()
		return ok && v.Addr().Interface().(*time.Time).UnmarshalText(s) == nil
	case planText:
		s, ok := d.str()
		return ok && v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(s) == nil
	case planPointer:
		e := reflect.New(p.typ.Elem())
		if !d.value(p.elem, e.Elem()) {
			return false
		}
		v.Set(e)
		return true
	case planSlice:
		return d.slice(p, v)
	case planMap:
		if d.data[d.i] == '{' && v.IsNil() {
			v.Set(reflect.MakeMap(p.typ)) // even for {}, as encoding/json does
		}
		return d.object(func(key []byte) bool {
			e := reflect.New(p.typ.Elem()).Elem()
			if !d.value(p.elem, e) {
				return false
			}
			k := reflect.New(p.typ.Key()).Elem()
			k.SetString(string(key))
			v.SetMapIndex(k, e)
			return true
		})
	case planStruct:
		var set uint64
		return len(p.fields) <= 64 && d.object(func(key []byte) bool {
			for i, f := range p.fields {
				if string(key) == f.name {
					if set&(1<<i) != 0 {
						return false // a repeated key: encoding/json decides
					}
					set |= 1 << i
					return d.value(f.plan, v.Field(f.index))
				}
			}
			return false // no field of exactly that name
		})
	}
	return false
}

// object reads an object, calling member for each key (without escapes) with d at its value.
func (d *fastDecoder) object(member func(key []byte) bool) bool {
	if !d.literal("{") {
		return false
	}
	d.space()
	if d.literal("}") {
		return true
	}
	for {
		key, ok := d.str()
		if !ok {
			return false
		}
		d.space()
		if !d.literal(":") {
			return false
		}
		d.space()
		if !member(key) {
			return false
		}
		d.space()
		if d.literal("}") {
			return true
		}
		if !d.literal(",") {
			return false
		}
		d.space()
	}
}

// slice reads an array into v, a slice, which it sets even when empty (as encoding/json does).
func (d *fastDecoder) slice(p *plan, v reflect.Value) bool {
	if !d.literal("[") {
		return false
	}
	s := reflect.MakeSlice(p.typ, 0, 0)
	d.space()
	if !d.literal("]") {
		for {
			e := reflect.New(p.typ.Elem()).Elem()
			if !d.value(p.elem, e) {
				return false
			}
			s = reflect.Append(s, e)
			d.space()
			if d.literal("]") {
				break
			}
			if !d.literal(",") {
				return false
			}
			d.space()
		}
	}
	v.Set(s)
	return true
}

// str reads a string without escape sequences, of valid UTF-8 and no control characters, and
// returns its contents (a slice of data).
func (d *fastDecoder) str() ([]byte, bool) {
	if !d.literal(`"`) {
		return nil, false
	}
	start := d.i
	ascii := true
	for ; d.i < len(d.data); d.i++ {
		switch c := d.data[d.i]; {
		case c == '"':
			s := d.data[start:d.i]
			d.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// integer reads a JSON number that is an integer: -?(0|[1-9][0-9]*).
func (d *fastDecoder) integer() (string, bool) {
	start := d.i
	if d.i < len(d.data) && d.data[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
		d.i++
	}
	switch {
	case d.i == digits, d.data[digits] == '0' && d.i-digits > 1:
		return "", false
	case d.i < len(d.data) && (d.data[d.i] == '.' || d.data[d.i] == 'e' || d.data[d.i] == 'E'):
		return "", false
	}
	return string(d.data[start:d.i]), true
}
