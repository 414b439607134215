// Package audit holds the record of who changed what: entries, and the field-by-field
// difference between an object's views before and after a change, secrets masked.
package audit

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"
)

// Actions an entry records.
const (
	Create = "create"
	Update = "update"
	Delete = "delete"
)

// Kinds of object an entry is about.
const (
	KindTarget     = "target"
	KindChannel    = "channel"
	KindUser       = "user"
	KindAPIKey     = "api_key"
	KindStatusPage = "status_page"
	// KindConfig is a whole configuration applied at once; each changed object is
	// a field of its changes ("target shop-api": created).
	KindConfig = "config"
)

// Masked stands for a secret's value in an entry.
const Masked = "********"

// Entry is one recorded change.
type Entry struct {
	ID int64
	At time.Time
	// ActorID is the user who acted (through a session or one of their keys); Actor
	// keeps their name, so an entry reads the same after the user is deleted.
	ActorID    *int64
	Actor      string
	Action     string
	Kind       string
	ObjectID   *int64
	ObjectName string
	Changes    map[string]Change
}

// Change is one field's value before and after; nil where the object did not exist.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Filter narrows a listing.
type Filter struct {
	Kind          string
	Limit, Offset int
}

// Diff compares the JSON forms of before and after (either may be nil, for a create
// or a delete) field by field and returns the fields that differ. Fields named in
// secret are compared but their values written as Masked; ignore lists fields that
// change on every write (updated_at) or are not settings (last_status).
func Diff(before, after any, secret, ignore []string) (map[string]Change, error) {
	b, err := fields(before)
	if err != nil {
		return nil, err
	}
	a, err := fields(after)
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	out := map[string]Change{}
	for _, k := range keys {
		if slices.Contains(ignore, k) {
			continue
		}
		bv, inB := b[k]
		av, inA := a[k]
		if inB && inA && reflect.DeepEqual(bv, av) {
			continue
		}
		if slices.Contains(secret, k) {
			bv, av = mask(bv, inB), mask(av, inA)
		}
		out[k] = Change{Before: bv, After: av}
	}
	return out, nil
}

func mask(v any, present bool) any {
	if !present || v == nil || v == "" {
		return nil
	}
	return Masked
}

// fields turns a view into its top-level JSON fields; nil is no fields.
func fields(v any) (map[string]any, error) {
	out := map[string]any{}
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit diff: %w", err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("audit diff: %w", err)
	}
	return out, nil
}
