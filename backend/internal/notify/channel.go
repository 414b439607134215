package notify

import (
	"errors"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
	"github.com/watchdog-monitor/watchdog/backend/internal/text"
)

// MaxName is the longest channel name, in characters.
const MaxName = 100

// Validate checks a channel as every write path must — the API, config apply and the
// importers: its name (one line of visible text, trimmed by the caller), its type and
// its type's config, whose URL settings env.CheckURL judges as the outbound guard
// would. Every broken rule is a field of one *target.ValidationError: name, type,
// config, config.<key>.
func (ch Channel) Validate(env Env) error {
	var v target.ValidationError
	add := func(field, msg string) { v.Fields = append(v.Fields, target.FieldError{Field: field, Message: msg}) }
	switch {
	case ch.Name == "":
		add("name", "is required")
	default:
		if msg := text.Line(ch.Name, MaxName); msg != "" {
			add("name", msg)
		}
	}
	if _, err := Lookup(ch.Type); err != nil {
		add("type", "must be one of "+strings.Join(Types(), ", "))
	} else if err := Validate(ch.Type, ch.Config, env); err != nil {
		v.Fields = append(v.Fields, ConfigFields(err)...)
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// ConfigFields turns a provider's config errors (one, or several joined) into fields
// named config.<key>.
func ConfigFields(err error) []target.FieldError {
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []target.FieldError
	for _, e := range errs {
		var ce *ConfigError
		if errors.As(e, &ce) {
			out = append(out, target.FieldError{Field: "config." + ce.Key, Message: ce.Message})
		} else {
			out = append(out, target.FieldError{Field: "config", Message: e.Error()})
		}
	}
	return out
}
