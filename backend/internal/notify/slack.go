package notify

import "context"

// Slack incoming webhooks. The URL is the credential: anyone who has it can post to
// the channel, so it is a secret.
func init() {
	register(channelType[slackConfig, *slackConfig]{name: "slack", secrets: []string{"url"}, send: sendSlack})
}

type slackConfig struct {
	URL string `json:"url"`
}

func (c *slackConfig) check(env Env) error {
	return checkSecretURL(c.URL, urlRule{hosts: []string{"hooks.slack.com"}, pathPrefix: "/services/",
		want: "a Slack incoming-webhook URL (https://hooks.slack.com/services/…)"}, env)
}

// maxSlackSection is Slack's limit on a section block's text.
const maxSlackSection = 3000

func sendSlack(ctx context.Context, c *slackConfig, env Env, m Message) error {
	title, body := summary(m, format{text: escapeAngles, link: escapeAngles})
	section := "*" + title + "*"
	if body != "" {
		section += "\n" + body
	}
	type text struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type string `json:"type"`
		Text text   `json:"text"`
	}
	payload := struct {
		Text   string  `json:"text"`
		Blocks []block `json:"blocks"`
	}{
		// text is what notifications and clients without blocks show.
		Text:   title,
		Blocks: []block{{Type: "section", Text: text{Type: "mrkdwn", Text: clip(section, maxSlackSection)}}},
	}
	return postJSON(ctx, env, "slack", c.URL, payload, urlSecrets(c.URL)...)
}
