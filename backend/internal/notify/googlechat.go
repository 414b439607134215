package notify

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Google Chat incoming webhooks. The URL carries the webhook's key and token, so it
// is a secret. Each incident's messages form one thread: the down opens it and the
// up replies in it. The checker-wide events start a thread each: their pairing key is
// the same for every episode, so as a thread key it would gather months of episodes
// into one thread, and a recovery would be buried under the first degradation.
func init() {
	register(channelType[googlechatConfig, *googlechatConfig]{name: "googlechat", secrets: []string{"url"}, send: sendGoogleChat})
}

type googlechatConfig struct {
	URL string `json:"url"`
}

func (c *googlechatConfig) check(env Env) error {
	return checkSecretURL(c.URL, urlRule{hosts: []string{"chat.googleapis.com"}, pathPrefix: "/v1/spaces/",
		want: "a Google Chat webhook URL (https://chat.googleapis.com/v1/spaces/…)"}, env)
}

// googlechatLink is Google Chat's <url|text> link, the URL as its text. A "|" or ">"
// in the URL would end it early, so those are percent-encoded.
func googlechatLink(u string) string {
	u = strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C", " ", "%20").Replace(u)
	return "<" + u + "|" + u + ">"
}

// maxGoogleChatText stays well under Google Chat's 32,000-byte message limit.
const maxGoogleChatText = 4000

func sendGoogleChat(ctx context.Context, c *googlechatConfig, env Env, m Message) error {
	endpoint, err := url.Parse(c.URL)
	if err != nil {
		return &SendError{Err: fmt.Errorf("googlechat: url: %w", redactErr(withoutURL(err), urlSecrets(c.URL)...))}
	}
	// Without this option Google Chat ignores thread.threadKey and starts a new
	// thread every time; with it, a key no thread has yet starts one.
	q := endpoint.Query()
	q.Set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
	endpoint.RawQuery = q.Encode()

	// Google Chat's markup has no escapes: values that could format or mention go
	// into code spans.
	title, body := summary(m, format{text: codeSpan, link: googlechatLink})
	text := "*" + title + "*"
	if body != "" {
		text += "\n" + body
	}
	type thread struct {
		ThreadKey string `json:"threadKey"`
	}
	payload := struct {
		Text   string  `json:"text"`
		Thread *thread `json:"thread,omitempty"`
	}{Text: clip(text, maxGoogleChatText)}
	if m.Event != EventDegraded && m.Event != EventRecovered {
		payload.Thread = &thread{ThreadKey: dedupKey(m)}
	}
	return postJSON(ctx, env, "googlechat", endpoint.String(), payload, urlSecrets(c.URL)...)
}
