package notify

import (
	"context"
	"fmt"
	"regexp"
)

// Rocket.Chat incoming webhook integrations, on a self-hosted server (the outbound
// guard keeps it off private addresses). The URL carries the integration's token,
// so it is a secret.
func init() {
	register(channelType[rocketchatConfig, *rocketchatConfig]{name: "rocketchat", secrets: []string{"url"}, send: sendRocketChat})
}

type rocketchatConfig struct {
	URL string `json:"url"`
	// Channel overrides the integration's channel: "#room" or "@user" (a bare name or
	// room ID is taken as a room too, as Rocket.Chat does).
	Channel string `json:"channel,omitempty"`
	// Username is the name shown on the message (Rocket.Chat's "alias").
	Username string `json:"username,omitempty"`
}

var rocketchatChannel = regexp.MustCompile(`^[#@]?[\p{L}\p{N}._-]{1,64}$`)

func (c *rocketchatConfig) check(env Env) error {
	var p problems
	checkHookURL(&p, "url", c.URL, "a Rocket.Chat", env)
	if c.Channel != "" && !rocketchatChannel.MatchString(c.Channel) {
		p.add("channel", "must be #room or @user: at most 64 letters, digits, ., _ or - after the # or @")
	}
	checkDisplayName(&p, "username", c.Username)
	return p.err()
}

// maxRocketChatText stays well under Rocket.Chat's default 5,000-character message
// limit.
const maxRocketChatText = 4000

func sendRocketChat(ctx context.Context, c *rocketchatConfig, env Env, m Message) error {
	title, body := summary(m, format{text: codeSpan, link: asIs})
	type attachment struct {
		Color string `json:"color"`
		Text  string `json:"text"`
	}
	payload := struct {
		Text        string       `json:"text"`
		Channel     string       `json:"channel,omitempty"`
		Alias       string       `json:"alias,omitempty"`
		Attachments []attachment `json:"attachments,omitempty"`
	}{Text: "*" + clip(title, maxRocketChatText) + "*", Channel: c.Channel, Alias: c.Username}
	if body != "" {
		payload.Attachments = []attachment{{Color: fmt.Sprintf("#%06X", discordColor(m.Event)), Text: clip(body, maxRocketChatText)}}
	}
	return postJSON(ctx, env, "rocketchat", c.URL, payload, urlSecrets(c.URL)...)
}
