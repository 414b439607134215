package notify

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Zulip: a stream message through POST /api/v1/messages, sent as a bot (HTTP basic
// auth with the bot's email and API key, which is the secret). The server is the
// organisation's own (zulipchat.com or self-hosted), so any host is allowed and the
// outbound guard keeps it off private addresses. Each target's alerts go to a topic
// of its own unless one topic is set, so a down and its up sit together.
func init() {
	register(channelType[zulipConfig, *zulipConfig]{name: "zulip", secrets: []string{"api_key"}, destination: "site", send: sendZulip})
}

type zulipConfig struct {
	// Site is the organisation's URL, e.g. https://example.zulipchat.com.
	Site string `json:"site"`
	// Email is the bot's email address, its user name for the API.
	Email  string `json:"email"`
	APIKey string `json:"api_key"`
	Stream string `json:"stream"`
	// Topic, when set, takes every message; otherwise a target's own name does, and
	// "WatchDog" the checker-wide and test messages.
	Topic string `json:"topic"`
}

// Zulip's limits: stream and topic names, and a message's content in bytes.
const (
	maxZulipName = 60
	// maxZulipContent is in runes: with at most 4 bytes each it stays within
	// Zulip's 10,000-byte limit.
	maxZulipContent = 2500
	// zulipDefaultTopic names the topic of messages about no target.
	zulipDefaultTopic = "WatchDog"
)

var (
	zulipAPIKey = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	zulipEmail  = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
)

func (c *zulipConfig) check(env Env) error {
	var p problems
	checkURL(&p, "site", c.Site, urlRule{}, env)
	p.required("email", c.Email, zulipEmail, "the bot's email address")
	if len(c.Email) > 254 {
		p.add("email", "must be at most 254 characters")
	}
	p.required("api_key", c.APIKey, zulipAPIKey, "the bot's API key (32 letters and digits)")
	if c.Stream == "" {
		p.add("stream", "is required")
	} else if !zulipName(c.Stream) {
		p.add("stream", "must be a stream name of at most %d characters on one line", maxZulipName)
	}
	if c.Topic != "" && !zulipName(c.Topic) {
		p.add("topic", "must be a topic of at most %d characters on one line", maxZulipName)
	}
	return p.err()
}

// zulipName says whether s can name a stream or topic: one line, at most 60
// characters, not blank.
func zulipName(s string) bool {
	return strings.TrimSpace(s) != "" && utf8.RuneCountInString(s) <= maxZulipName &&
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) < 0
}

func sendZulip(ctx context.Context, c *zulipConfig, env Env, m Message) error {
	site, err := url.Parse(c.Site)
	if err != nil {
		return &SendError{Err: fmt.Errorf("zulip: site: %w", withoutURL(err))}
	}
	title, body := summary(m, format{text: zulipText, link: zulipLink})
	content := "**" + title + "**"
	if body != "" {
		content += "\n" + body
	}
	form := url.Values{"type": {"stream"}, "to": {c.Stream}, "topic": {zulipTopic(c, m)},
		"content": {clip(content, maxZulipContent)}}
	header, secrets := basicAuth(c.Email, c.APIKey)
	return postForm(ctx, env, "zulip", site.JoinPath("api/v1/messages").String(), form, header, secrets...)
}

// zulipTopic is where a message goes: the configured topic, or the target's name.
// Topics are plain text in Zulip, so the name is not escaped.
func zulipTopic(c *zulipConfig, m Message) string {
	if c.Topic != "" {
		return c.Topic
	}
	if m.Target == nil || m.Event == EventTest {
		return zulipDefaultTopic
	}
	if name := strings.TrimSpace(clip(oneLine(targetName(m.Target)), maxZulipName)); name != "" {
		return name
	}
	return zulipDefaultTopic
}

// zulipMarkdown escapes, with a backslash, the characters Zulip's Markdown gives a
// meaning within a line that a backslash cancels (emphasis, code, links, stream links
// "#**…**"). Every line of a message starts with WatchDog's own words, so what only
// means something at a line's start (lists, quotes, headings) cannot occur.
var zulipMarkdown = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	">", `\>`, "#", `\#`,
	// A zero-width space after these, where a backslash is not honoured: it keeps
	// "@**all**", "@*group*" and "@all" from mentioning anyone, "~~" from striking
	// through and "$$" from starting TeX.
	"@", "@\u200b", "~", "~\u200b", "$", "$\u200b",
)

func zulipText(s string) string { return zulipMarkdown.Replace(s) }

// zulipLink makes an http(s) URL a named link whose text is escaped, so neither the
// text nor the URL can add formatting; any other URL (tcp://, dns://) is shown as
// text.
func zulipLink(u string) string {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") {
		return zulipText(u)
	}
	target := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u)
	return "[" + zulipText(u) + "](" + target + ")"
}
