package notify

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Pushover's Message API: a form POST of the application's token, the user's (or
// group's) key and the message, as HTML with every user-controlled value escaped.
// Both keys are secrets: the token sends as the application, the key reaches the
// user's devices.
func init() {
	register(channelType[pushoverConfig, *pushoverConfig]{name: "pushover", secrets: []string{"user_key", "app_token"}, send: sendPushover})
}

type pushoverConfig struct {
	UserKey  string `json:"user_key"`
	AppToken string `json:"app_token"`
	// Priority of every message, -2 (no alert) to 1 (bypasses quiet hours); 0 by
	// default. Emergency (2) is not offered: it needs retry and expiry settings and an
	// acknowledgement WatchDog would not follow up.
	Priority *int `json:"priority"`
	// Device limits delivery to the named devices (comma-separated); empty sends to
	// all of the user's.
	Device string `json:"device"`
	// Sound is one of Pushover's sounds or the user's own; empty is the user's default.
	Sound string `json:"sound"`
}

var (
	pushoverKey    = regexp.MustCompile(`^[A-Za-z0-9]{30}$`)
	pushoverDevice = regexp.MustCompile(`^[A-Za-z0-9_-]{1,25}(,[A-Za-z0-9_-]{1,25})*$`)
	pushoverSound  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)
)

func (c *pushoverConfig) check(Env) error {
	var p problems
	p.required("user_key", c.UserKey, pushoverKey, "a Pushover user or group key (30 letters and digits)")
	p.required("app_token", c.AppToken, pushoverKey, "a Pushover application token (30 letters and digits)")
	if c.Priority == nil {
		c.Priority = new(int)
	}
	if *c.Priority < -2 || *c.Priority > 1 {
		p.add("priority", "must be between -2 and 1")
	}
	if c.Device != "" && !pushoverDevice.MatchString(c.Device) {
		p.add("device", "must be device names of up to 25 letters, digits, _ or -, separated by commas")
	}
	if c.Sound != "" && !pushoverSound.MatchString(c.Sound) {
		p.add("sound", "must be a sound name of up to 20 letters, digits, _ or -")
	}
	return p.err()
}

// Pushover's limits on a message's fields.
const (
	maxPushoverTitle   = 250
	maxPushoverMessage = 1024
	maxPushoverURL     = 512
)

func sendPushover(ctx context.Context, c *pushoverConfig, env Env, m Message) error {
	// The title is shown as it is; only the message is HTML.
	title, _ := summary(m, plain())
	_, body := summary(m, format{text: escapeAngles, link: escapeAngles})
	if body == "" {
		body = escapeAngles(title)
	}
	form := url.Values{
		"token":    {c.AppToken},
		"user":     {c.UserKey},
		"title":    {clip(title, maxPushoverTitle)},
		"message":  {clipEscaped(body, maxPushoverMessage)},
		"html":     {"1"},
		"priority": {strconv.Itoa(*c.Priority)},
	}
	if u := oneLine(m.DashboardURL); u != "" && len(u) <= maxPushoverURL {
		// A link cut short would lead nowhere: a long one stays only in the message.
		form.Set("url", u)
		form.Set("url_title", "Open in WatchDog")
	}
	if !m.OccurredAt.IsZero() {
		form.Set("timestamp", strconv.FormatInt(m.OccurredAt.Unix(), 10))
	}
	if c.Device != "" {
		form.Set("device", c.Device)
	}
	if c.Sound != "" {
		form.Set("sound", c.Sound)
	}
	endpoint := apiBase(env, "pushover", "https://api.pushover.net") + "/1/messages.json"
	return postForm(ctx, env, "pushover", endpoint, form, nil, c.AppToken, c.UserKey)
}

// clipEscaped clips HTML-escaped text without leaving half an entity ("&am…") at
// the cut.
func clipEscaped(s string, n int) string {
	cut := clip(s, n)
	if cut == s {
		return s
	}
	kept := strings.TrimSuffix(cut, "…")
	if amp := strings.LastIndexByte(kept, '&'); amp >= 0 && !strings.Contains(kept[amp:], ";") {
		kept = kept[:amp]
	}
	return kept + "…"
}
