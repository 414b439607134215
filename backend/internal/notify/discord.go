package notify

import (
	"context"
	"strings"
	"time"
)

// Discord webhooks. The URL carries the webhook's token, so it is a secret.
func init() {
	register(channelType[discordConfig, *discordConfig]{name: "discord", secrets: []string{"url"}, send: sendDiscord})
}

type discordConfig struct {
	URL string `json:"url"`
}

func (c *discordConfig) check(env Env) error {
	return checkSecretURL(c.URL, urlRule{
		hosts:      []string{"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"},
		pathPrefix: "/api/webhooks/",
		want:       "a Discord webhook URL (https://discord.com/api/webhooks/…)",
	}, env)
}

// discordMarkdown escapes every character Discord's markdown gives a meaning
// (emphasis, code, spoilers, quotes, headings, lists, masked links, mentions); a
// backslash before punctuation shows it as it is.
var discordMarkdown = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "<", `\<`,
	"#", `\#`, "-", `\-`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "@", `\@`,
)

// discordLink shows a URL as a link without Discord's preview, which would otherwise
// fetch the target. A backslash would end up inside the link, so the URL is not
// escaped but kept from closing the brackets early.
func discordLink(u string) string {
	return "<" + strings.NewReplacer(">", "%3E", "<", "%3C", " ", "%20").Replace(u) + ">"
}

// Discord's limits on a message.
const (
	maxDiscordContent     = 2000
	maxDiscordDescription = 4096
)

func sendDiscord(ctx context.Context, c *discordConfig, env Env, m Message) error {
	title, body := summary(m, format{text: discordMarkdown.Replace, link: discordLink})
	type embed struct {
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
		Color       int    `json:"color"`
		Timestamp   string `json:"timestamp,omitempty"`
	}
	type mentions struct {
		Parse []string `json:"parse"`
	}
	e := embed{Title: label(m.Event), Description: clip(body, maxDiscordDescription), Color: discordColor(m.Event)}
	if !m.OccurredAt.IsZero() {
		e.Timestamp = m.OccurredAt.UTC().Format(time.RFC3339)
	}
	payload := struct {
		Content string   `json:"content"`
		Embeds  []embed  `json:"embeds"`
		Allowed mentions `json:"allowed_mentions"`
	}{
		Content: clip(title, maxDiscordContent),
		Embeds:  []embed{e},
		// No @everyone, role or user pings, whatever a target's name or error says.
		Allowed: mentions{Parse: []string{}},
	}
	return postJSON(ctx, env, "discord", c.URL, payload, urlSecrets(c.URL)...)
}

// discordColor is the embed's side bar: red for down, green for up, and so on.
func discordColor(event string) int {
	switch event {
	case EventDown:
		return 0xE74C3C
	case EventWarmGap, EventCertExpiry:
		return 0xE67E22
	case EventUp, EventRecovered:
		return 0x2ECC71
	case EventDegraded:
		return 0xF1C40F
	}
	return 0x3498DB
}
