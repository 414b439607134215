package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Gotify: POST <server>/message with an application's token, on a self-hosted server
// (the outbound guard keeps it off private addresses). The message is markdown, which
// Gotify's web UI and Android app render when extras say so. The token is a secret.
func init() {
	register(channelType[gotifyConfig, *gotifyConfig]{name: "gotify", secrets: []string{"token"}, destination: "server_url", send: sendGotify})
}

type gotifyConfig struct {
	ServerURL string `json:"server_url"`
	// Token is an application token (not a client token: those cannot post).
	Token string `json:"token"`
	// Priority (0-10) of every message; nil means defaultGotifyPriority. A pointer,
	// since 0 (no notification, only the list) is a valid choice.
	Priority *int `json:"priority,omitempty"`
}

const (
	// defaultGotifyPriority is the lowest that Gotify's Android app shows as a
	// high-importance notification (sound, banner).
	defaultGotifyPriority = 8
	maxGotifyToken        = 256
	maxGotifyTitle        = 250
	maxGotifyMessage      = 4000
)

func (c *gotifyConfig) check(env Env) error {
	var p problems
	checkURL(&p, "server_url", c.ServerURL, urlRule{}, env)
	if c.Token == "" {
		p.add("token", "is required")
	} else if !isToken(c.Token, maxGotifyToken) {
		p.add("token", "must be an application token of at most %d characters without spaces", maxGotifyToken)
	}
	if c.Priority == nil {
		priority := defaultGotifyPriority
		c.Priority = &priority
	} else if *c.Priority < 0 || *c.Priority > 10 {
		p.add("priority", "must be between 0 and 10")
	}
	return p.err()
}

func sendGotify(ctx context.Context, c *gotifyConfig, env Env, m Message) error {
	server, err := url.Parse(c.ServerURL)
	if err != nil {
		return &SendError{Err: fmt.Errorf("gotify: server url: %w", withoutURL(err))}
	}
	title, _ := summary(m, plain())
	mdTitle, body := summary(m, format{text: markdownEscaper.Replace, link: discordLink})
	if body == "" {
		body = mdTitle
	}
	type display struct {
		ContentType string `json:"contentType"`
	}
	type click struct {
		URL string `json:"url"`
	}
	type notification struct {
		Click click `json:"click"`
	}
	extras := map[string]any{"client::display": display{ContentType: "text/markdown"}}
	if m.DashboardURL != "" {
		// Tapping the notification opens the target's page.
		extras["client::notification"] = notification{Click: click{URL: oneLine(m.DashboardURL)}}
	}
	payload := struct {
		Title    string         `json:"title"`
		Message  string         `json:"message"`
		Priority int            `json:"priority"`
		Extras   map[string]any `json:"extras"`
	}{Title: clip(title, maxGotifyTitle), Message: clip(markdownLines(body), maxGotifyMessage), Priority: *c.Priority, Extras: extras}
	return post{provider: "gotify", url: server.JoinPath("message").String(),
		header: http.Header{"X-Gotify-Key": {c.Token}}, secrets: []string{c.Token}}.sendJSON(ctx, env, payload)
}
