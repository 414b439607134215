package notify

import (
	"context"
	"strings"
)

// Microsoft Teams through a Workflows (Power Automate) webhook, which posts an
// Adaptive Card. The URL carries its signature, so it is a secret.
func init() {
	register(channelType[teamsConfig, *teamsConfig]{name: "teams", secrets: []string{"url"}, send: sendTeams})
}

type teamsConfig struct {
	URL string `json:"url"`
}

func (c *teamsConfig) check(env Env) error {
	return checkSecretURL(c.URL, urlRule{
		suffixes: []string{".logic.azure.com", ".powerplatform.com", ".webhook.office.com"},
		want:     "a Teams workflow webhook URL (on *.logic.azure.com, *.powerplatform.com or *.webhook.office.com)",
	}, env)
}

// textBlock is an Adaptive Card TextBlock.
type textBlock struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Wrap   bool   `json:"wrap"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
}

// sendTeams posts the title and each detail line as TextBlocks: a block is the one
// line break Teams renders the same everywhere. Adaptive Cards have no way to escape
// their small markdown subset, so text goes as it is.
func sendTeams(ctx context.Context, c *teamsConfig, env Env, m Message) error {
	title, body := summary(m, plain())
	blocks := []textBlock{{Type: "TextBlock", Text: title, Wrap: true, Weight: "Bolder", Size: "Medium"}}
	if body != "" {
		for _, line := range strings.Split(body, "\n") {
			blocks = append(blocks, textBlock{Type: "TextBlock", Text: line, Wrap: true})
		}
	}
	type card struct {
		Schema  string      `json:"$schema"`
		Type    string      `json:"type"`
		Version string      `json:"version"`
		Body    []textBlock `json:"body"`
	}
	type attachment struct {
		ContentType string  `json:"contentType"`
		ContentURL  *string `json:"contentUrl"`
		Content     card    `json:"content"`
	}
	payload := struct {
		Type        string       `json:"type"`
		Attachments []attachment `json:"attachments"`
	}{
		Type: "message",
		Attachments: []attachment{{
			ContentType: "application/vnd.microsoft.card.adaptive",
			Content: card{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard",
				Version: "1.4", Body: blocks},
		}},
	}
	return postJSON(ctx, env, "teams", c.URL, payload, urlSecrets(c.URL)...)
}
