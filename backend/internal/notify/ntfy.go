package notify

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ntfy: a plain-text POST to <server>/<topic>, on ntfy.sh or a self-hosted server. Any
// host is allowed, since self-hosting is common; the outbound guard in Env.Client
// still keeps it off private addresses.
func init() {
	register(channelType[ntfyConfig, *ntfyConfig]{name: "ntfy", secrets: []string{"token"}, destination: "url", send: sendNtfy})
}

type ntfyConfig struct {
	// URL is the server; empty means https://ntfy.sh.
	URL   string `json:"url"`
	Topic string `json:"topic"`
	// Token is an access token, sent as a Bearer token; empty sends none.
	Token string `json:"token"`
	// Priority (1-5) is used for every message when set; otherwise alerts are sent
	// high (4) and the rest default (3).
	Priority int `json:"priority"`
}

const (
	defaultNtfyURL = "https://ntfy.sh"
	maxNtfyToken   = 512
	// maxNtfyBody (in runes of up to 4 bytes) stays below ntfy's 4096-byte limit,
	// past which it turns a message into an attachment.
	maxNtfyBody = 1000
)

var ntfyTopic = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (c *ntfyConfig) check(env Env) error {
	var p problems
	if c.URL == "" {
		c.URL = defaultNtfyURL
	}
	checkURL(&p, "url", c.URL, urlRule{}, env)
	p.required("topic", c.Topic, ntfyTopic, "1 to 64 letters, digits, _ or -")
	if len(c.Token) > maxNtfyToken || strings.IndexFunc(c.Token, func(r rune) bool {
		return r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 {
		p.add("token", "must be an access token of at most %d characters without spaces", maxNtfyToken)
	}
	if c.Priority != 0 && (c.Priority < 1 || c.Priority > 5) {
		p.add("priority", "must be between 1 and 5")
	}
	return p.err()
}

func sendNtfy(ctx context.Context, c *ntfyConfig, env Env, m Message) error {
	server, err := url.Parse(c.URL)
	if err != nil {
		return &SendError{Err: fmt.Errorf("ntfy: server url: %w", withoutURL(err))}
	}
	title, body := summary(m, plain())
	if body == "" {
		body = title
	}
	priority := c.Priority
	if priority == 0 {
		priority = 3
		if isProblem(m.Event) {
			priority = 4
		}
	}
	header := http.Header{}
	// ntfy shows the tag's emoji, so the title's own would be twice. Non-ASCII goes
	// RFC 2047-encoded, which ntfy decodes.
	header.Set("Title", mime.QEncoding.Encode("utf-8", strings.TrimPrefix(title, icon(m.Event)+" ")))
	header.Set("Priority", strconv.Itoa(priority))
	header.Set("Tags", ntfyTag(m.Event))
	if m.DashboardURL != "" {
		header.Set("Click", oneLine(m.DashboardURL))
	}
	if c.Token != "" {
		header.Set("Authorization", "Bearer "+c.Token)
	}
	return post{provider: "ntfy", url: server.JoinPath(c.Topic).String(), contentType: "text/plain; charset=utf-8",
		body: []byte(clip(body, maxNtfyBody)), header: header, secrets: []string{c.Token}}.send(ctx, env)
}

// ntfyTag is an emoji short code ntfy shows before the title.
func ntfyTag(event string) string {
	switch event {
	case EventDown:
		return "rotating_light"
	case EventWarmGap:
		return "snowflake"
	case EventCertExpiry:
		return "lock"
	case EventUp, EventRecovered:
		return "white_check_mark"
	case EventDegraded:
		return "warning"
	}
	return "bell"
}
