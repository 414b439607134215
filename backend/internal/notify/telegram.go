package notify

import (
	"context"
	"regexp"
	"strings"
)

// Telegram through a bot: the Bot API's sendMessage, as HTML. The bot token is a
// secret; it is part of the request's URL, so errors are kept free of that URL.
func init() {
	register(channelType[telegramConfig, *telegramConfig]{name: "telegram", secrets: []string{"bot_token"}, send: sendTelegram})
}

type telegramConfig struct {
	BotToken string `json:"bot_token"`
	// ChatID is a numeric chat id (negative for groups) or a public @channelname.
	ChatID string `json:"chat_id"`
}

var (
	telegramToken = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$`)
	telegramChat  = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$`)
)

func (c *telegramConfig) check(Env) error {
	var p problems
	p.required("bot_token", c.BotToken, telegramToken, "a bot token as @BotFather gives it (123456789:AAE…)")
	p.required("chat_id", c.ChatID, telegramChat, "a numeric chat id or an @channelname")
	return p.err()
}

func sendTelegram(ctx context.Context, c *telegramConfig, env Env, m Message) error {
	title, body := summary(m, format{text: escapeAngles, link: escapeAngles})
	text := "<b>" + title + "</b>"
	if body != "" {
		text += "\n" + body
	}
	payload := struct {
		ChatID                string `json:"chat_id"`
		Text                  string `json:"text"`
		ParseMode             string `json:"parse_mode"`
		DisableWebPagePreview bool   `json:"disable_web_page_preview"`
	}{ChatID: c.ChatID, Text: text, ParseMode: "HTML", DisableWebPagePreview: true}
	endpoint := apiBase(env, "telegram", "https://api.telegram.org") + "/bot" + c.BotToken + "/sendMessage"
	// The part after the bot's ID is the secret half, which an answer may quote alone.
	_, secretPart, _ := strings.Cut(c.BotToken, ":")
	return postJSON(ctx, env, "telegram", endpoint, payload, c.BotToken, secretPart)
}
