// Package statuspage holds public status pages: which targets a page shows, under
// which slug, and the rules a page must follow.
package statuspage

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
	"github.com/watchdog-monitor/watchdog/backend/internal/text"
)

// Errors the status page layer reports.
var (
	ErrNotFound  = errors.New("status page not found")
	ErrSlugTaken = errors.New("slug already taken")
)

// Page is a public status page.
type Page struct {
	ID          int64
	Slug        string
	Title       string
	Description string
	// TargetIDs are the targets shown, in order.
	TargetIDs []int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits of a page's fields.
const (
	MaxSlug        = 64
	MaxTitle       = 100
	MaxDescription = 2000
	MaxTargets     = 200
)

// slugPattern: lowercase letters, digits and inner dashes, so a slug is safe in a URL
// path as it is.
var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

// ValidSlug says whether slug could name a page.
func ValidSlug(slug string) bool { return len(slug) <= MaxSlug && slugPattern.MatchString(slug) }

// Validate checks p's fields and reports every broken rule by its JSON name.
func (p Page) Validate() error {
	var v target.ValidationError
	add := func(field, format string, args ...any) {
		v.Fields = append(v.Fields, target.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case p.Slug == "":
		add("slug", "is required")
	case !ValidSlug(p.Slug):
		add("slug", "must be 1 to %d lowercase letters, digits and inner dashes", MaxSlug)
	}
	// A title and description are shown to the public as they are: the one rule for
	// text people write keeps out what would hide or reverse them.
	if strings.TrimSpace(p.Title) == "" {
		add("title", "is required")
	} else if msg := text.Line(p.Title, MaxTitle); msg != "" {
		add("title", "%s", msg)
	}
	if msg := text.Block(p.Description, MaxDescription); msg != "" {
		add("description", "%s", msg)
	}
	if len(p.TargetIDs) > MaxTargets {
		add("target_ids", "must list at most %d targets", MaxTargets)
	}
	seen := map[int64]bool{}
	for i, id := range p.TargetIDs {
		switch {
		case id < 1:
			add(fmt.Sprintf("target_ids[%d]", i), "must be a target id")
		case seen[id]:
			add(fmt.Sprintf("target_ids[%d]", i), "lists target %d twice", id)
		}
		seen[id] = true
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}
