package platform

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Version == "" {
		t.Error("Version is empty")
	}
	if err := validate(c.List()); err != nil {
		t.Errorf("embedded presets invalid: %v", err)
	}
	want := []string{
		"render-free", "railway-serverless", "koyeb", "fly-autostop", "heroku-eco",
		"neon-free", "supabase-free", "huggingface-spaces", "streamlit-cloud",
		"cloud-run", "azure-app-service", CustomKey,
	}
	for _, k := range want {
		if _, ok := c.Get(k); !ok {
			t.Errorf("preset %q missing", k)
		}
	}
	if _, ok := c.Get("no-such-host"); ok {
		t.Error("Get of an unknown key succeeded")
	}
}

func TestPresetsValidAndUnique(t *testing.T) {
	t.Parallel()
	c := MustLoad()
	seen := map[string]bool{}
	for _, p := range c.List() {
		t.Run(p.Key, func(t *testing.T) {
			if seen[p.Key] {
				t.Fatalf("duplicate key %q", p.Key)
			}
			seen[p.Key] = true
			// Validate each preset on its own; custom is added because validate requires it.
			alone := []Preset{p}
			if p.Key != CustomKey {
				custom, _ := c.Get(CustomKey)
				alone = append(alone, custom)
			}
			if err := validate(alone); err != nil {
				t.Errorf("invalid: %v", err)
			}
			if p.AsOf != "2026-11" {
				t.Errorf("as_of = %q, want 2026-11", p.AsOf)
			}
			if p.Key != CustomKey && !strings.HasPrefix(p.SourceURL, "https://") {
				t.Errorf("source_url %q is not https", p.SourceURL)
			}
			if p.Notes == "" {
				t.Error("notes are empty")
			}
			got, ok := c.Get(p.Key)
			if !ok || got.Name != p.Name {
				t.Errorf("Get(%q) = %+v, %v; want the listed preset", p.Key, got, ok)
			}
		})
	}
}

func TestListIsFileOrder(t *testing.T) {
	t.Parallel()
	l := MustLoad().List()
	if l[0].Key != "render-free" || l[len(l)-1].Key != CustomKey {
		t.Errorf("order: first %q, last %q; want render-free first and custom last", l[0].Key, l[len(l)-1].Key)
	}
}

func TestCopiesDoNotAliasCatalog(t *testing.T) {
	t.Parallel()
	c := MustLoad()
	p, _ := c.Get("render-free")
	*p.IdleTimeoutSeconds = 1
	*p.MonthlyFreeHours = 1
	l := c.List()
	l[0].Name = "changed"
	again, _ := c.Get("render-free")
	if *again.IdleTimeoutSeconds != 900 || *again.MonthlyFreeHours != 750 || again.Name == "changed" {
		t.Errorf("catalog changed through a returned copy: %+v", again)
	}
}

func TestRenderFree(t *testing.T) {
	t.Parallel()
	p, ok := MustLoad().Get("render-free")
	if !ok {
		t.Fatal("render-free missing")
	}
	if p.IdleTimeoutSeconds == nil || *p.IdleTimeoutSeconds != 900 {
		t.Errorf("idle = %v, want 900", p.IdleTimeoutSeconds)
	}
	if p.MonthlyFreeHours == nil || *p.MonthlyFreeHours != 750 {
		t.Errorf("monthly_free_hours = %v, want 750", p.MonthlyFreeHours)
	}
	if p.HoursScope != ScopeWorkspace {
		t.Errorf("hours_scope = %q, want %q", p.HoursScope, ScopeWorkspace)
	}
	if p.WakeTimeoutSeconds != 90 {
		t.Errorf("wake_timeout = %d, want 90", p.WakeTimeoutSeconds)
	}
	if w := p.Warning(); w != "" {
		t.Errorf("Warning = %q, want none (pings keep Render awake)", w)
	}
}

func TestWarning(t *testing.T) {
	t.Parallel()
	c := MustLoad()
	tests := []struct {
		key      string
		empty    bool
		contains string
	}{
		{key: "neon-free", contains: "SQL"},
		{key: "supabase-free", contains: "unconfirmed"},
		{key: "streamlit-cloud", contains: "unconfirmed"},
		{key: "koyeb", contains: "unconfirmed"},
		{key: "heroku-eco", empty: true},
		{key: CustomKey, empty: true},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			p, ok := c.Get(tc.key)
			if !ok {
				t.Fatalf("%q missing", tc.key)
			}
			w := p.Warning()
			if tc.empty {
				if w != "" {
					t.Errorf("Warning = %q, want empty", w)
				}
				return
			}
			if w == "" || !strings.Contains(w, tc.contains) {
				t.Errorf("Warning = %q, want it to mention %q", w, tc.contains)
			}
		})
	}
}

func TestCustomExists(t *testing.T) {
	t.Parallel()
	p, ok := MustLoad().Get(CustomKey)
	if !ok {
		t.Fatal("custom preset missing")
	}
	if p.IdleTimeoutSeconds != nil || p.MonthlyFreeHours != nil || p.PingsKeepAwake != nil {
		t.Errorf("custom should leave idle, hours and pings null: %+v", p)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	intp := func(v int) *int { return &v }
	f64p := func(v float64) *float64 { return &v }
	good := func() Preset {
		return Preset{
			Key: "host", Name: "Host", IdleTimeoutSeconds: intp(900),
			WakeTimeoutSeconds: 90, TypicalWakeSeconds: 30,
			MonthlyFreeHours: f64p(750), HoursScope: ScopeWorkspace,
			Activity: "inbound traffic", SourceURL: "https://example.com/docs", AsOf: "2026-11",
		}
	}
	custom := Preset{Key: CustomKey, Name: "Custom", WakeTimeoutSeconds: 90, HoursScope: ScopeNone, Activity: "depends", AsOf: "2026-11"}
	with := func(change func(*Preset)) []Preset {
		p := good()
		change(&p)
		return []Preset{p, custom}
	}
	tests := []struct {
		name    string
		presets []Preset
		wantErr string // "" means valid
	}{
		{"valid", with(func(*Preset) {}), ""},
		{"custom alone", []Preset{custom}, ""},
		{"missing custom", []Preset{good()}, `"custom" is missing`},
		{"empty list", nil, `"custom" is missing`},
		{"duplicate key", []Preset{good(), good(), custom}, "duplicate key"},
		{"uppercase key", with(func(p *Preset) { p.Key = "Render" }), "must match"},
		{"key with space", with(func(p *Preset) { p.Key = "a b" }), "must match"},
		{"empty key", with(func(p *Preset) { p.Key = "" }), "must match"},
		{"empty name", with(func(p *Preset) { p.Name = "" }), "name is empty"},
		{"empty as_of", with(func(p *Preset) { p.AsOf = "" }), "as_of is empty"},
		{"empty activity", with(func(p *Preset) { p.Activity = "" }), "activity is empty"},
		{"http source", with(func(p *Preset) { p.SourceURL = "http://example.com" }), "not an https URL"},
		{"bare host source", with(func(p *Preset) { p.SourceURL = "render.com/docs/free" }), "not an https URL"},
		{"empty source", with(func(p *Preset) { p.SourceURL = "" }), "not an https URL"},
		{"custom http source", []Preset{{Key: CustomKey, Name: "C", WakeTimeoutSeconds: 90, HoursScope: ScopeNone, Activity: "a", AsOf: "x", SourceURL: "http://x"}}, "not an https URL"},
		{"wake zero", with(func(p *Preset) { p.WakeTimeoutSeconds = 0; p.TypicalWakeSeconds = 0 }), "wake_timeout_seconds 0"},
		{"wake too long", with(func(p *Preset) { p.WakeTimeoutSeconds = 601 }), "wake_timeout_seconds 601"},
		{"wake at max", with(func(p *Preset) { p.WakeTimeoutSeconds = 600 }), ""},
		{"typical over wake", with(func(p *Preset) { p.TypicalWakeSeconds = 91 }), "typical_wake_seconds 91"},
		{"typical negative", with(func(p *Preset) { p.TypicalWakeSeconds = -1 }), "typical_wake_seconds -1"},
		{"idle zero", with(func(p *Preset) { p.IdleTimeoutSeconds = intp(0) }), "idle_timeout_seconds 0"},
		{"idle negative", with(func(p *Preset) { p.IdleTimeoutSeconds = intp(-5) }), "idle_timeout_seconds -5"},
		{"idle null", with(func(p *Preset) { p.IdleTimeoutSeconds = nil }), ""},
		{"unknown scope", with(func(p *Preset) { p.HoursScope = "team" }), `hours_scope "team" is unknown`},
		{"hours without scope", with(func(p *Preset) { p.HoursScope = ScopeNone }), "monthly_free_hours is set"},
		{"scope without hours", with(func(p *Preset) { p.MonthlyFreeHours = nil }), "monthly_free_hours is null"},
		{"hours zero", with(func(p *Preset) { p.MonthlyFreeHours = f64p(0) }), "must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validate(tc.presets)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("validate: %v, want nil", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("validate: nil, want an error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("validate: %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	const customJSON = `{"key":"custom","name":"Custom","idle_timeout_seconds":null,"wake_timeout_seconds":90,"typical_wake_seconds":60,"monthly_free_hours":null,"hours_scope":"none","activity":"a","pings_keep_awake":null,"notes":"","source_url":"","as_of":"2026-11"}`
	tests := []struct {
		name    string
		data    string
		wantErr string
	}{
		{"minimal", `{"version":"v1","presets":[` + customJSON + `]}`, ""},
		{"unknown top-level field", `{"version":"v1","extra":1,"presets":[` + customJSON + `]}`, "unknown field"},
		{"unknown preset field", `{"version":"v1","presets":[{"key":"custom","sleep":1}]}`, "unknown field"},
		{"wrong type", `{"version":"v1","presets":[{"key":"custom","idle_timeout_seconds":"15m"}]}`, "decode presets"},
		{"trailing data", `{"version":"v1","presets":[` + customJSON + `]} {}`, "trailing data"},
		{"no version", `{"presets":[` + customJSON + `]}`, "version is empty"},
		{"invalid preset", `{"version":"v1","presets":[]}`, `"custom" is missing`},
		{"not json", `version: 1`, "decode presets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parse([]byte(tc.data))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				if c.Version != "v1" || len(c.List()) != 1 {
					t.Errorf("parse = %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parse: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}
