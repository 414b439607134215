package audit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
)

type view struct {
	Name      string            `json:"name"`
	Interval  int               `json:"interval_seconds"`
	Headers   map[string]string `json:"headers"`
	Tags      []string          `json:"tags"`
	UpdatedAt string            `json:"updated_at"`
}

func TestDiff(t *testing.T) {
	before := view{Name: "a", Interval: 300, Headers: map[string]string{"Authorization": "Bearer x"}, Tags: []string{"p"}, UpdatedAt: "1"}
	secret, ignore := []string{"headers"}, []string{"updated_at"}
	for _, tc := range []struct {
		name          string
		before, after any
		want          map[string]audit.Change
	}{
		{"create: every field from nothing", nil, before, map[string]audit.Change{
			"name": {After: "a"}, "interval_seconds": {After: 300.0}, "headers": {After: audit.Masked}, "tags": {After: []any{"p"}}}},
		{"delete: every field to nothing", before, nil, map[string]audit.Change{
			"name": {Before: "a"}, "interval_seconds": {Before: 300.0}, "headers": {Before: audit.Masked}, "tags": {Before: []any{"p"}}}},
		{"update: only what changed, ignored fields left out", before,
			view{Name: "a", Interval: 600, Headers: before.Headers, Tags: []string{"p"}, UpdatedAt: "2"},
			map[string]audit.Change{"interval_seconds": {Before: 300.0, After: 600.0}}},
		{"a changed secret is recorded, masked both sides", before,
			view{Name: "a", Interval: 300, Headers: map[string]string{"Authorization": "Bearer y"}, Tags: []string{"p"}},
			map[string]audit.Change{"headers": {Before: audit.Masked, After: audit.Masked}}},
		{"a secret cleared reads as null after", before,
			view{Name: "a", Interval: 300, Tags: []string{"p"}},
			map[string]audit.Change{"headers": {Before: audit.Masked, After: nil}}},
		{"nothing changed", before, before, map[string]audit.Change{}},
		{"a nil pointer is nothing", (*view)(nil), (*view)(nil), map[string]audit.Change{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := audit.Diff(tc.before, tc.after, secret, ignore)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
