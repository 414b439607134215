package notify

import (
	"context"
	"fmt"
	"regexp"
)

// Mattermost incoming webhooks, on a self-hosted server (the outbound guard keeps it
// off private addresses). The URL is the credential: anyone who has it can post, so
// it is a secret.
func init() {
	register(channelType[mattermostConfig, *mattermostConfig]{name: "mattermost", secrets: []string{"url"}, send: sendMattermost})
}

type mattermostConfig struct {
	URL string `json:"url"`
	// Channel overrides the webhook's channel: a channel's name ("town-square") or
	// "@user" for a direct message; empty posts where the webhook was made for.
	Channel string `json:"channel,omitempty"`
	// Username and IconURL override the poster's name and picture, where the server
	// allows webhooks to.
	Username string `json:"username,omitempty"`
	IconURL  string `json:"icon_url,omitempty"`
}

var mattermostChannel = regexp.MustCompile(`^@?[A-Za-z0-9._-]{1,64}$`)

func (c *mattermostConfig) check(env Env) error {
	var p problems
	checkHookURL(&p, "url", c.URL, "a Mattermost", env)
	if c.Channel != "" && !mattermostChannel.MatchString(c.Channel) {
		p.add("channel", "must be a channel's name (town-square) or @user, of at most 64 letters, digits, ., _ or -")
	}
	checkDisplayName(&p, "username", c.Username)
	if c.IconURL != "" {
		checkURL(&p, "icon_url", c.IconURL, urlRule{}, env)
	}
	return p.err()
}

// mattermostText makes a value plain in Mattermost's markdown and keeps it from
// mentioning anyone (@all, @channel, @here, @user).
func mattermostText(s string) string { return noMentions(markdownEscaper.Replace(s)) }

// maxMattermostText stays well under Mattermost's 16,383-character post limit.
const maxMattermostText = 4000

func sendMattermost(ctx context.Context, c *mattermostConfig, env Env, m Message) error {
	plainTitle, _ := summary(m, format{text: noMentions, link: asIs})
	title, body := summary(m, format{text: mattermostText, link: discordLink})
	type attachment struct {
		Fallback string `json:"fallback"`
		Color    string `json:"color"`
		Text     string `json:"text"`
	}
	payload := struct {
		Text        string       `json:"text"`
		Channel     string       `json:"channel,omitempty"`
		Username    string       `json:"username,omitempty"`
		IconURL     string       `json:"icon_url,omitempty"`
		Attachments []attachment `json:"attachments,omitempty"`
	}{Text: "**" + clip(title, maxMattermostText) + "**", Channel: c.Channel, Username: c.Username, IconURL: c.IconURL}
	if body != "" {
		// Mattermost shows each newline as a line break; the colour bar says the event.
		payload.Attachments = []attachment{{Fallback: plainTitle, Color: fmt.Sprintf("#%06X", discordColor(m.Event)),
			Text: clip(body, maxMattermostText)}}
	}
	return postJSON(ctx, env, "mattermost", c.URL, payload, urlSecrets(c.URL)...)
}
