package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

// channelType adapts one type's config struct and send function to Provider. Validate
// and Send both go through parse, so a stored config that no longer passes (the rules
// tightened, SMTP was unset) is refused at send time instead of used.
type channelType[C any, P interface {
	*C
	check(env Env) error
}] struct {
	name    string
	secrets []string
	// secretMaps are object-valued keys whose values are secrets but whose keys are
	// not (a webhook's header names are shown, their values are not).
	secretMaps []string
	// destination is the setting that says where the secrets are sent (a self-hosted
	// server's URL). An update that changes it must send the secrets again: otherwise
	// an editor, who never sees them, could point the channel at a host of their own
	// and have the stored token delivered there.
	destination string
	send        func(ctx context.Context, c *C, env Env, m Message) error
}

func (t channelType[C, P]) Type() string      { return t.name }
func (t channelType[C, P]) Secrets() []string { return slices.Clone(t.secrets) }

func (t channelType[C, P]) secretMapKeys() []string { return t.secretMaps }

func (t channelType[C, P]) destinationKey() string { return t.destination }

func (t channelType[C, P]) Validate(config json.RawMessage, env Env) error {
	_, err := t.parse(config, env)
	return err
}

func (t channelType[C, P]) Send(ctx context.Context, config json.RawMessage, env Env, m Message) error {
	c, err := t.parse(config, env)
	if err != nil {
		// Sending again will not fix a config: only an edit will.
		return &SendError{Err: fmt.Errorf("%s: invalid config: %w", t.name, err)}
	}
	return t.send(ctx, c, env, m)
}

func (t channelType[C, P]) parse(config json.RawMessage, env Env) (*C, error) {
	c := new(C)
	if err := decodeConfig(config, c); err != nil {
		return nil, err
	}
	if err := P(c).check(env); err != nil {
		return nil, err
	}
	return c, nil
}

// secretMapper is implemented by types with secretMaps; Redact and MergeSecrets ask
// for it.
type secretMapper interface {
	secretMapKeys() []string
}

// destinationer is implemented by types whose secrets go to a host the config names;
// MergeSecrets asks for it.
type destinationer interface {
	destinationKey() string
}

// decodeConfig reads a config object into v, refusing unknown keys and values of the
// wrong JSON type with a *ConfigError naming the key. An empty or null config is {}.
func decodeConfig(config json.RawMessage, v any) error {
	config = bytes.TrimSpace(config)
	if len(config) == 0 || bytes.Equal(config, []byte("null")) {
		config = []byte("{}")
	}
	if config[0] != '{' {
		return errors.New("config must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(config))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return errors.New("config has data after its object")
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return &ConfigError{Key: typeErr.Field, Message: "must be " + describe(settingType(v, typeErr))}
	}
	// encoding/json has no typed error for an unknown field, only this text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			name = unquoted
		}
		return &ConfigError{Key: name, Message: "is not a setting of this channel type"}
	}
	return fmt.Errorf("read config: %w", err)
}

// settingType is the Go type of the setting a type error is about: the field's own
// type, where the error names only the element that did not fit (a header value of 1
// is an error about a string, but the setting is an object of strings).
func settingType(v any, e *json.UnmarshalTypeError) reflect.Type {
	t := reflect.TypeOf(v).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == e.Field {
			return f.Type
		}
	}
	return e.Type
}

// describe names a Go type the way a JSON user would.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		// An optional setting (*int): what it points to is what it must be.
		return describe(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(describe(t.Elem()), "an "), "a ") + "s"
	case reflect.Map:
		return "an object of " + strings.TrimPrefix(strings.TrimPrefix(describe(t.Elem()), "an "), "a ") + "s"
	case reflect.Struct:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	}
	return "of another type"
}

// problems collects the broken keys of one config; err joins them, so the API can
// report every broken key at once.
type problems []error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, &ConfigError{Key: key, Message: fmt.Sprintf(format, args...)})
}

func (p problems) err() error { return errors.Join(p...) }

// required adds "is required" for an empty value, or want when it does not match re.
// want never repeats the value: it may be a secret.
func (p *problems) required(key, value string, re *regexp.Regexp, want string) {
	switch {
	case value == "":
		p.add(key, "is required")
	case !re.MatchString(value):
		p.add(key, "must be %s", want)
	}
}

// urlRule limits a URL setting to a provider's own hosts. An empty rule allows any
// http or https host.
type urlRule struct {
	hosts      []string
	suffixes   []string
	pathPrefix string
	// want says in words what the URL must be, for the error.
	want string
}

func (r urlRule) allows(u *url.URL) bool {
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return false
	}
	host := strings.ToLower(u.Hostname())
	hostOK := slices.Contains(r.hosts, host) || slices.ContainsFunc(r.suffixes, func(s string) bool {
		return strings.HasSuffix(host, s)
	})
	return hostOK && strings.HasPrefix(u.EscapedPath(), r.pathPrefix)
}

const maxURLLen = 2048

// checkURL adds a problem unless raw is an absolute http(s) URL that rule allows.
// Messages never repeat the URL: for some types it is the secret.
func checkURL(p *problems, key, raw string, rule urlRule, env Env) {
	if raw == "" {
		p.add(key, "is required")
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > maxURLLen:
		p.add(key, "must be a valid URL of at most %d characters", maxURLLen)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		p.add(key, "must be an absolute http or https URL")
	case u.User != nil:
		// The URL is shown back by the API; credentials belong in a secret setting.
		p.add(key, "must not contain a user name or password")
	case u.Fragment != "":
		p.add(key, "must not have a #fragment")
	case rule.want != "" && !env.AnyHost && !rule.allows(u):
		p.add(key, "must be %s", rule.want)
	default:
		if err := netguard.CheckPort(u.Port()); err != nil {
			p.add(key, "%v", err)
		} else if env.CheckURL != nil {
			if err := env.CheckURL(u); err != nil {
				p.add(key, "%v", err)
			}
		}
	}
}

// urlSecrets are the parts of a URL that is itself a credential, to keep out of
// errors: the whole, its path and query, and each path segment and query value (a
// Slack or Discord token, a Rocket.Chat integration's ID and token, Google Chat's and
// Teams' key and signature), in case an answer repeats only one of them.
func urlSecrets(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	parts := []string{u.EscapedPath(), u.Path, u.RawQuery}
	for _, seg := range strings.Split(u.Path, "/") {
		parts = append(parts, seg, url.PathEscape(seg))
	}
	for _, values := range u.Query() {
		for _, v := range values {
			parts = append(parts, v, url.QueryEscape(v))
		}
	}
	for _, part := range parts {
		// A short part ("/", "v1") holds no secret, and replacing it would garble
		// the error.
		if len(part) >= 8 && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// checkSecretURL checks the one setting of the types whose URL is the credential.
func checkSecretURL(raw string, rule urlRule, env Env) error {
	var p problems
	checkURL(&p, "url", raw, rule, env)
	return p.err()
}

// checkHookURL checks the URL of an incoming webhook on a self-hosted chat server
// (Mattermost, Rocket.Chat): the outbound guard's rules, and the /hooks/ path both
// servers give their webhooks, so a server's home page is refused when it is saved
// rather than when the first alert fails. product names the server, with its article.
func checkHookURL(p *problems, key, raw, product string, env Env) {
	before := len(*p)
	checkURL(p, key, raw, urlRule{}, env)
	if u, err := url.Parse(raw); len(*p) == before && err == nil && !strings.Contains(u.Path, "/hooks/") {
		p.add(key, "must be %s incoming-webhook URL (https://<server>/hooks/…)", product)
	}
}

// maxDisplayName bounds the name a chat message is posted under (a username
// override): clients show it on one line beside the message.
const maxDisplayName = 64

// checkDisplayName checks a name a message is posted under: one line, printable.
func checkDisplayName(p *problems, key, name string) {
	if utf8.RuneCountInString(name) > maxDisplayName || strings.IndexFunc(name, func(r rune) bool {
		return unicode.IsControl(r) || r == utf8.RuneError
	}) >= 0 {
		p.add(key, "must be one line of at most %d characters", maxDisplayName)
	}
}

// isToken says whether s is printable ASCII without spaces, at most n long: what
// every bearer-style token here looks like, and what may go into a header.
func isToken(s string, n int) bool {
	return len(s) <= n && strings.IndexFunc(s, func(r rune) bool {
		return r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r)
	}) < 0
}

// apiBase is a provider's fixed API address, or the test override.
func apiBase(env Env, typ, fixed string) string {
	if env.AnyHost && env.APIBase[typ] != "" {
		return strings.TrimSuffix(env.APIBase[typ], "/")
	}
	return fixed
}
