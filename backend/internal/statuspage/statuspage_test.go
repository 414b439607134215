package statuspage_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func TestValidate(t *testing.T) {
	ok := statuspage.Page{Slug: "acme-prod", Title: "Acme", TargetIDs: []int64{1, 2}}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		name  string
		edit  func(*statuspage.Page)
		field string
	}{
		{"no slug", func(p *statuspage.Page) { p.Slug = "" }, "slug"},
		{"upper case", func(p *statuspage.Page) { p.Slug = "Acme" }, "slug"},
		{"leading dash", func(p *statuspage.Page) { p.Slug = "-acme" }, "slug"},
		{"trailing dash", func(p *statuspage.Page) { p.Slug = "acme-" }, "slug"},
		{"a slash", func(p *statuspage.Page) { p.Slug = "a/b" }, "slug"},
		{"too long", func(p *statuspage.Page) { p.Slug = strings.Repeat("a", 65) }, "slug"},
		{"no title", func(p *statuspage.Page) { p.Title = "  " }, "title"},
		{"control character in title", func(p *statuspage.Page) { p.Title = "a\x00b" }, "title"},
		{"bidi override in title", func(p *statuspage.Page) { p.Title = "\u202eAcme" }, "title"},
		{"title of zero-width spaces", func(p *statuspage.Page) { p.Title = "\u200b\u200b" }, "title"},
		{"zero-width space in description", func(p *statuspage.Page) { p.Description = "all\u200bgood" }, "description"},
		{"invalid UTF-8 in description", func(p *statuspage.Page) { p.Description = "a\xffb" }, "description"},
		{"description too long", func(p *statuspage.Page) { p.Description = strings.Repeat("x", 2001) }, "description"},
		{"a target twice", func(p *statuspage.Page) { p.TargetIDs = []int64{1, 1} }, "target_ids[1]"},
		{"a zero id", func(p *statuspage.Page) { p.TargetIDs = []int64{0} }, "target_ids[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.edit(&p)
			var v *target.ValidationError
			require.True(t, errors.As(p.Validate(), &v))
			require.Len(t, v.Fields, 1)
			assert.Equal(t, tc.field, v.Fields[0].Field)
		})
	}
	multi := statuspage.Page{Slug: "a", Title: strings.Repeat("é", 100), Description: "two\nlines\tare fine"}
	assert.NoError(t, multi.Validate(), "limits count characters, not bytes")
}
