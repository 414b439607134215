package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The generic webhook: a POST of the Message's JSON, signed when a secret is set.
func init() {
	register(channelType[webhookConfig, *webhookConfig]{
		name: "webhook", secrets: []string{"secret"}, secretMaps: []string{"headers"}, destination: "url", send: sendWebhook,
	})
}

type webhookConfig struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
	// Headers are sent with every delivery; their values are secrets (they are
	// usually credentials: Authorization, X-Api-Key).
	Headers map[string]string `json:"headers"`
}

const (
	maxSecretLen      = 1024
	maxWebhookHeaders = 20
	maxHeaderValueLen = 4096
)

// reservedHeader says whether a header is set by WatchDog (or by HTTP itself), so it
// may not be configured.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "content-type", "content-length", "transfer-encoding", "connection", "host",
		"x-watchdog-signature", "x-watchdog-delivery", "x-watchdog-event":
		return true
	}
	return false
}

func (c *webhookConfig) check(env Env) error {
	var p problems
	checkURL(&p, "url", c.URL, urlRule{}, env)
	if len(c.Secret) > maxSecretLen {
		p.add("secret", "must be at most %d bytes", maxSecretLen)
	}
	if len(c.Headers) > maxWebhookHeaders {
		p.add("headers", "must have at most %d headers", maxWebhookHeaders)
	}
	seen := map[string]bool{}
	names := make([]string, 0, len(c.Headers))
	for name := range c.Headers {
		names = append(names, name)
	}
	slices.Sort(names) // the same config reports its problems in the same order
	for _, name := range names {
		key, value := "headers."+name, c.Headers[name]
		canonical := http.CanonicalHeaderKey(name)
		switch {
		case !validHeaderName(name):
			p.add(key, "is not a valid header name")
		case reservedHeader(name):
			p.add(key, "is set by WatchDog and cannot be configured")
		case seen[canonical]:
			p.add(key, "is given twice (header names ignore case)")
		case value == "":
			p.add(key, "must have a value")
		case len(value) > maxHeaderValueLen || !utf8.ValidString(value) ||
			strings.IndexFunc(value, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) >= 0:
			p.add(key, "must be one line of at most %d bytes", maxHeaderValueLen)
		}
		seen[canonical] = true
	}
	return p.err()
}

// validHeaderName reports whether name is an HTTP token (RFC 9110 section 5.6.2).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		ok := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("!#$%&'*+-.^_`|~", r))
		if !ok {
			return false
		}
	}
	return true
}

func sendWebhook(ctx context.Context, c *webhookConfig, env Env, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return &SendError{Err: fmt.Errorf("webhook: encode message: %w", err)}
	}
	header := http.Header{}
	secrets := []string{c.Secret}
	for name, value := range c.Headers {
		header.Set(name, value)
		// "Bearer <token>": an answer may quote the token without its scheme.
		secrets = append(secrets, value)
		if _, credential, ok := strings.Cut(value, " "); ok && len(credential) >= 8 {
			secrets = append(secrets, credential)
		}
	}
	if m.DeliveryID != "" {
		header.Set("X-WatchDog-Delivery", m.DeliveryID)
	}
	header.Set("X-WatchDog-Event", m.Event)
	if c.Secret != "" {
		header.Set("X-WatchDog-Signature", Sign(c.Secret, body))
	}
	return post{provider: "webhook", url: c.URL, contentType: "application/json", body: body,
		header: header, secrets: secrets}.send(ctx, env)
}

// Sign is the X-WatchDog-Signature of a webhook body: "sha256=" and the lowercase hex
// HMAC-SHA256 of the exact body bytes keyed with the channel's secret. A receiver
// recomputes it over the raw body it read and compares with hmac.Equal.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
