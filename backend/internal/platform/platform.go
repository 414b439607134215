// Package platform holds the keep-warm presets: what each hosting platform does
// to an idle service (when it sleeps, what counts as activity, how long it takes
// to wake, which free hours it pools) as versioned data with a source and a date
// for every preset. The data lives in presets.json, embedded at build time, so
// a changed timer is a data edit with a new version, not a code change.
package platform

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

//go:embed presets.json
var presetsJSON []byte

// CustomKey is the preset for a host the catalog does not know: the user gives
// the idle limit. Load fails without it so a target can always name one.
const CustomKey = "custom"

// Hours scopes: what one pool of monthly free hours is shared by. ScopeNone
// means there is no hour pool to track (no free tier, or a free allowance that
// is not counted in awake hours, which the preset's notes then describe).
const (
	ScopeService      = "service"
	ScopeWorkspace    = "workspace"
	ScopeAccount      = "account"
	ScopeProject      = "project"
	ScopeOrganisation = "organisation"
	ScopeNone         = "none"
)

// MaxWakeTimeoutSeconds bounds a preset's wake timeout; a waking attempt that
// needs longer than ten minutes is not one keep-warm can plan around.
const MaxWakeTimeoutSeconds = 600

// Preset describes how one host puts idle services to sleep. Nil pointers mean
// the host does not say (or the fact is unconfirmed); Notes says which.
type Preset struct {
	// Key identifies the preset in the API (`platform` on a target).
	Key string `json:"key"`
	// Name is the human-readable host and plan.
	Name string `json:"name"`
	// IdleTimeoutSeconds is how long the host lets a service idle before it
	// sleeps; nil when it does not sleep on a fixed timer or the timer is unknown.
	IdleTimeoutSeconds *int `json:"idle_timeout_seconds"`
	// WakeTimeoutSeconds is how long an attempt that may wake the service may take.
	WakeTimeoutSeconds int `json:"wake_timeout_seconds"`
	// TypicalWakeSeconds is the usual cold start, taken from the slow end of the
	// reported range so a window's first request lands early enough; 0 when a
	// request cannot wake the service (it needs a manual resume).
	TypicalWakeSeconds int `json:"typical_wake_seconds"`
	// MonthlyFreeHours is the free awake-hour pool per month; nil when there is none.
	MonthlyFreeHours *float64 `json:"monthly_free_hours"`
	// HoursScope says what shares MonthlyFreeHours (one of the Scope constants).
	HoursScope string `json:"hours_scope"`
	// Activity is what the host counts as activity, in a few words.
	Activity string `json:"activity"`
	// PingsKeepAwake says whether WatchDog's HTTP pings keep the service awake;
	// nil when unconfirmed or conditional.
	PingsKeepAwake *bool `json:"pings_keep_awake"`
	// Notes is the honest small print: costs, caveats, what is unconfirmed.
	Notes string `json:"notes"`
	// SourceURL is where the facts come from (empty only for the custom preset).
	SourceURL string `json:"source_url"`
	// AsOf is the month the facts were last checked (YYYY-MM).
	AsOf string `json:"as_of"`
}

// Warning returns a sentence for API responses when WatchDog's pings do not,
// or may not, keep a service on this host awake, and "" when they do. The
// custom preset has no warning: the user describes the host themselves.
func (p Preset) Warning() string {
	switch {
	case p.Key == CustomKey:
		return ""
	case p.PingsKeepAwake == nil:
		return fmt.Sprintf("unconfirmed: HTTP pings may not keep %s awake (it counts %s)", p.Name, p.Activity)
	case !*p.PingsKeepAwake:
		return fmt.Sprintf("%s: HTTP pings do not keep it awake (it counts %s); keep-warm cannot help here", p.Name, p.Activity)
	default:
		return ""
	}
}

// clone copies the pointer fields so callers cannot change the catalog's data.
func (p Preset) clone() Preset {
	if p.IdleTimeoutSeconds != nil {
		v := *p.IdleTimeoutSeconds
		p.IdleTimeoutSeconds = &v
	}
	if p.MonthlyFreeHours != nil {
		v := *p.MonthlyFreeHours
		p.MonthlyFreeHours = &v
	}
	if p.PingsKeepAwake != nil {
		v := *p.PingsKeepAwake
		p.PingsKeepAwake = &v
	}
	return p
}

// Catalog is a loaded, validated set of presets. It is read-only and safe for
// concurrent use.
type Catalog struct {
	// Version is the date of the data file's last change (YYYY-MM-DD).
	Version string
	presets []Preset
	byKey   map[string]Preset
}

// file is the shape of presets.json.
type file struct {
	Version string   `json:"version"`
	Presets []Preset `json:"presets"`
}

// Load parses and validates the embedded presets.
func Load() (*Catalog, error) {
	return parse(presetsJSON)
}

// MustLoad is Load for program start-up and tests: the embedded file is part of
// the binary, so an invalid one is a build defect, not a runtime condition.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// parse decodes data strictly (unknown fields and trailing data are errors) and
// validates the result.
func parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode presets: %w", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode presets: trailing data after the top-level object")
	}
	if f.Version == "" {
		return nil, errors.New("validate presets: version is empty")
	}
	if err := validate(f.Presets); err != nil {
		return nil, fmt.Errorf("validate presets: %w", err)
	}
	c := &Catalog{
		Version: f.Version,
		presets: f.Presets,
		byKey:   make(map[string]Preset, len(f.Presets)),
	}
	for _, p := range f.Presets {
		c.byKey[p.Key] = p
	}
	return c, nil
}

// List returns every preset in file order. The slice and its presets are copies.
func (c *Catalog) List() []Preset {
	out := make([]Preset, len(c.presets))
	for i, p := range c.presets {
		out[i] = p.clone()
	}
	return out
}

// Get returns the preset with the given key, a copy.
func (c *Catalog) Get(key string) (Preset, bool) {
	p, ok := c.byKey[key]
	if !ok {
		return Preset{}, false
	}
	return p.clone(), true
}

var keyPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

var hoursScopes = map[string]bool{
	ScopeService: true, ScopeWorkspace: true, ScopeAccount: true,
	ScopeProject: true, ScopeOrganisation: true, ScopeNone: true,
}

// validate checks presets as Load needs them and reports every problem found,
// each prefixed with the preset's key (or index when the key is unusable).
func validate(presets []Preset) error {
	var errs []error
	seen := make(map[string]bool, len(presets))
	for i, p := range presets {
		id := p.Key
		if !keyPattern.MatchString(p.Key) {
			id = fmt.Sprintf("#%d", i)
			errs = append(errs, fmt.Errorf("%s: key %q must match %s", id, p.Key, keyPattern))
		} else if seen[p.Key] {
			errs = append(errs, fmt.Errorf("%s: duplicate key", id))
		}
		seen[p.Key] = true
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: "+format, append([]any{id}, args...)...))
		}
		if p.Name == "" {
			bad("name is empty")
		}
		if p.AsOf == "" {
			bad("as_of is empty")
		}
		if p.Activity == "" {
			bad("activity is empty")
		}
		if !(p.Key == CustomKey && p.SourceURL == "") && !isHTTPS(p.SourceURL) {
			bad("source_url %q is not an https URL", p.SourceURL)
		}
		if p.WakeTimeoutSeconds < 1 || p.WakeTimeoutSeconds > MaxWakeTimeoutSeconds {
			bad("wake_timeout_seconds %d is outside 1..%d", p.WakeTimeoutSeconds, MaxWakeTimeoutSeconds)
		}
		if p.TypicalWakeSeconds < 0 || p.TypicalWakeSeconds > p.WakeTimeoutSeconds {
			bad("typical_wake_seconds %d is outside 0..wake_timeout_seconds (%d)", p.TypicalWakeSeconds, p.WakeTimeoutSeconds)
		}
		if p.IdleTimeoutSeconds != nil && *p.IdleTimeoutSeconds <= 0 {
			bad("idle_timeout_seconds %d must be positive", *p.IdleTimeoutSeconds)
		}
		if !hoursScopes[p.HoursScope] {
			bad("hours_scope %q is unknown", p.HoursScope)
		}
		// A pool needs both a size and what shares it, or budgets cannot be summed.
		switch {
		case p.MonthlyFreeHours != nil && *p.MonthlyFreeHours <= 0:
			bad("monthly_free_hours %g must be positive", *p.MonthlyFreeHours)
		case p.MonthlyFreeHours != nil && p.HoursScope == ScopeNone:
			bad("monthly_free_hours is set but hours_scope is %q", ScopeNone)
		case p.MonthlyFreeHours == nil && p.HoursScope != ScopeNone && hoursScopes[p.HoursScope]:
			bad("hours_scope is %q but monthly_free_hours is null", p.HoursScope)
		}
	}
	if !seen[CustomKey] {
		errs = append(errs, fmt.Errorf("preset %q is missing", CustomKey))
	}
	return errors.Join(errs...)
}

func isHTTPS(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// TargetPreset is what preset key fills in on a keep-warm target (target.Limits'
// Preset): its idle limit (0 when not fixed) and wake timeout.
func (c *Catalog) TargetPreset(key string) (target.Preset, bool) {
	p, ok := c.Get(key)
	if !ok {
		return target.Preset{}, false
	}
	idle := 0
	if p.IdleTimeoutSeconds != nil {
		idle = *p.IdleTimeoutSeconds
	}
	return target.Preset{IdleTimeoutSeconds: idle, WakeTimeoutSeconds: p.WakeTimeoutSeconds}, true
}
