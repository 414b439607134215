package notify

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Twilio Programmable Messaging: one SMS per message through the Messages resource.
// The auth token is a secret; the account SID is not (it is in every request's URL).
func init() {
	register(channelType[twilioConfig, *twilioConfig]{name: "twilio", secrets: []string{"auth_token"}, send: sendTwilio})
}

type twilioConfig struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
	// From is a Twilio phone number (E.164) or a Messaging Service SID (MG…), which
	// picks the sender itself.
	From string `json:"from"`
	To   string `json:"to"`
}

var (
	twilioAccountSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	twilioAuthToken  = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	twilioService    = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	twilioFrom       = regexp.MustCompile(`^(\+[1-9][0-9]{1,14}|MG[0-9a-fA-F]{32})$`)
	e164             = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
)

func (c *twilioConfig) check(Env) error {
	var p problems
	p.required("account_sid", c.AccountSID, twilioAccountSID, "a Twilio account SID (AC and 32 hex digits)")
	p.required("auth_token", c.AuthToken, twilioAuthToken, "the account's auth token (32 hex digits)")
	p.required("from", c.From, twilioFrom, "a phone number in E.164 form (+15551234567) or a Messaging Service SID (MG and 32 hex digits)")
	p.required("to", c.To, e164, "a phone number in E.164 form (+15551234567)")
	return p.err()
}

// maxSMS is one SMS segment of the GSM alphabet: longer texts are billed, and may
// arrive, as several. Twilio itself refuses a Body over 1,600 characters.
const maxSMS = 160

func sendTwilio(ctx context.Context, c *twilioConfig, env Env, m Message) error {
	form := url.Values{"To": {c.To}, "Body": {smsLine(m)}}
	if twilioService.MatchString(c.From) {
		form.Set("MessagingServiceSid", c.From)
	} else {
		form.Set("From", c.From)
	}
	endpoint := apiBase(env, "twilio", "https://api.twilio.com") + "/2010-04-01/Accounts/" + c.AccountSID + "/Messages.json"
	header, secrets := basicAuth(c.AccountSID, c.AuthToken)
	return postForm(ctx, env, "twilio", endpoint, form, header, secrets...)
}

// smsLine is a message as one plain line that fits one SMS: the title without its
// emoji and its dash, which are not in the GSM alphabet and would make the carrier
// send the text as UCS-2, whose segments hold 70 characters instead of 160.
func smsLine(m Message) string {
	title, _ := summary(m, plain())
	line := strings.TrimSpace(strings.TrimPrefix(title, icon(m.Event)))
	if !strings.HasPrefix(line, "WatchDog") {
		// An SMS comes from a bare number: say who sends it.
		line = "WatchDog: " + line
	}
	line = strings.ReplaceAll(line, " — ", ": ")
	if utf8.RuneCountInString(line) > maxSMS {
		// "…" is not GSM either.
		line = string([]rune(line)[:maxSMS-3]) + "..."
	}
	return line
}
