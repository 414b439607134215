package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
	"strings"
)

// Validate checks a config of type typ. Every broken key is reported: the error is an
// errors.Join of *ConfigError, one per key (unwrap it with Unwrap() []error or
// errors.As). A config that cannot be read at all (not an object, an unknown key, a
// value of the wrong JSON type) stops at that one problem, still as a *ConfigError
// where a key can be named, or a plain error for the config as a whole.
func Validate(typ string, config json.RawMessage, env Env) error {
	p, err := Lookup(typ)
	if err != nil {
		return err
	}
	return p.Validate(config, env)
}

// Send delivers m through ch. Every failure is a *SendError.
func Send(ctx context.Context, ch Channel, env Env, m Message) error {
	p, err := Lookup(ch.Type)
	if err != nil {
		return &SendError{Err: fmt.Errorf("send: %w", err)}
	}
	return p.Send(ctx, ch.Config, env, m)
}

// setSuffix marks, in a redacted config, that a secret is stored.
const setSuffix = "_set"

// Redact returns config without its secrets, for showing to a client. Each secret key
// is replaced by "<key>_set": true or false (present for every secret of the type, so
// a client can rely on its shape). Keys whose values are secrets (a webhook's
// headers) keep their names with every value replaced by "".
func Redact(typ string, config json.RawMessage) (json.RawMessage, error) {
	p, err := Lookup(typ)
	if err != nil {
		return nil, err
	}
	obj, err := configObject(config)
	if err != nil {
		return nil, fmt.Errorf("redact %s config: %w", typ, err)
	}
	for _, key := range p.Secrets() {
		v, ok := obj[key]
		delete(obj, key)
		obj[key+setSuffix] = json.RawMessage(fmt.Sprint(ok && isSet(v)))
	}
	for _, key := range secretMaps(p) {
		values, err := stringMap(obj, key)
		if err != nil {
			// Not what Validate lets in; dropping it cannot leak a value.
			delete(obj, key)
			continue
		}
		if values == nil {
			continue
		}
		for name := range values {
			values[name] = ""
		}
		if obj[key], err = json.Marshal(values); err != nil {
			return nil, fmt.Errorf("redact %s config: %w", typ, err)
		}
	}
	return marshalObject(obj)
}

// MergeSecrets builds the config to store from a client's update of a stored one: a
// secret key absent from updated keeps its stored value, while a present one (an
// explicit "" clears an optional secret) replaces it. The "<key>_set" markers Redact
// adds are dropped, so a client may send back what it was given. For keys whose
// values are secrets (a webhook's headers): absent keeps every stored pair; present,
// it lists the pairs to keep, and a value of "" for a name that was stored keeps that
// stored value. Every other key is taken from updated as it is.
func MergeSecrets(typ string, old, updated json.RawMessage) (json.RawMessage, error) {
	p, err := Lookup(typ)
	if err != nil {
		return nil, err
	}
	prev, err := configObject(old)
	if err != nil {
		return nil, fmt.Errorf("merge %s config: stored config: %w", typ, err)
	}
	next, err := configObject(updated)
	if err != nil {
		return nil, err
	}
	moved := destinationMoved(p, prev, next)
	var refused problems
	for _, key := range p.Secrets() {
		delete(next, key+setSuffix)
		if _, sent := next[key]; !sent {
			if v, stored := prev[key]; stored {
				if moved != "" && isSet(v) {
					refused.add(key, "must be sent again when %s changes: a stored secret is never sent to a new address", moved)
					continue
				}
				next[key] = v
			}
		}
	}
	for _, key := range secretMaps(p) {
		if moved != "" && keepsStoredValues(prev, next, key) {
			refused.add(key, "must be sent again, values included, when %s changes: a stored secret is never sent to a new address", moved)
			continue
		}
		if err := mergeSecretMap(prev, next, key); err != nil {
			return nil, err
		}
	}
	if err := refused.err(); err != nil {
		return nil, err
	}
	return marshalObject(next)
}

// destinationMoved names the type's destination setting when updated moves it to
// another server, and
// is "" otherwise (or for types that send only to their provider's own hosts).
func destinationMoved(p Provider, prev, next map[string]json.RawMessage) string {
	d, ok := p.(destinationer)
	if !ok || d.destinationKey() == "" {
		return ""
	}
	key := d.destinationKey()
	var before, after string
	// A value that is not a string is refused by validation; compared raw, it counts
	// as a change, which only asks for the secrets again.
	if json.Unmarshal(prev[key], &before) != nil && len(prev[key]) > 0 {
		before = string(prev[key])
	}
	if json.Unmarshal(next[key], &after) != nil && len(next[key]) > 0 {
		after = string(next[key])
	}
	if origin(before) == origin(after) {
		return ""
	}
	return key
}

// origin is where a URL sends: its scheme, host and port, so a new path on the same
// server keeps the secrets. Text that is not a URL is compared whole.
func origin(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// keepsStoredValues says whether merging key would carry a stored secret value over:
// the key left out while some are stored, or a stored name sent with "".
func keepsStoredValues(prev, next map[string]json.RawMessage, key string) bool {
	stored, err := stringMap(prev, key)
	if err != nil || len(stored) == 0 {
		return false
	}
	if _, sent := next[key]; !sent {
		return true
	}
	sent, err := stringMap(next, key)
	if err != nil {
		return false // validation names the key
	}
	byName := make(map[string]bool, len(stored))
	for name, v := range stored {
		byName[textproto.CanonicalMIMEHeaderKey(name)] = v != ""
	}
	for name, v := range sent {
		if v == "" && byName[textproto.CanonicalMIMEHeaderKey(name)] {
			return true
		}
	}
	return false
}

func mergeSecretMap(prev, next map[string]json.RawMessage, key string) error {
	if _, sent := next[key]; !sent {
		if v, stored := prev[key]; stored {
			next[key] = v
		}
		return nil
	}
	stored, err := stringMap(prev, key)
	if err != nil {
		// A stored value that is not an object has nothing worth keeping.
		stored = nil
	}
	// Header names compare case-insensitively; so do these.
	byName := make(map[string]string, len(stored))
	for name, v := range stored {
		byName[textproto.CanonicalMIMEHeaderKey(name)] = v
	}
	sent, err := stringMap(next, key)
	if err != nil {
		return &ConfigError{Key: key, Message: "must be an object of strings"}
	}
	if sent == nil {
		return nil
	}
	for name, v := range sent {
		if v == "" {
			sent[name] = byName[textproto.CanonicalMIMEHeaderKey(name)]
		}
	}
	if next[key], err = json.Marshal(sent); err != nil {
		return fmt.Errorf("merge %s: %w", key, err)
	}
	return nil
}

func secretMaps(p Provider) []string {
	if sm, ok := p.(secretMapper); ok {
		return sm.secretMapKeys()
	}
	return nil
}

// isSet says whether a stored secret value counts as set: not null, not "".
func isSet(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && !bytes.Equal(v, []byte("null")) && !bytes.Equal(v, []byte(`""`))
}

// configObject reads a config as an object of raw values; empty or null is {}.
func configObject(config json.RawMessage) (map[string]json.RawMessage, error) {
	obj := map[string]json.RawMessage{}
	config = bytes.TrimSpace(config)
	if len(config) == 0 || bytes.Equal(config, []byte("null")) {
		return obj, nil
	}
	if err := json.Unmarshal(config, &obj); err != nil {
		return nil, errors.New("config must be a JSON object")
	}
	if obj == nil {
		obj = map[string]json.RawMessage{}
	}
	return obj, nil
}

// stringMap reads obj[key] as an object of strings; nil when absent or null.
func stringMap(obj map[string]json.RawMessage, key string) (map[string]string, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s must be an object of strings: %w", key, err)
	}
	return m, nil
}

func marshalObject(obj map[string]json.RawMessage) (json.RawMessage, error) {
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return out, nil
}
