package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	twilioTestSID     = "AC0123456789abcdef0123456789abcdef"
	twilioTestToken   = "fedcba9876543210fedcba9876543210"
	twilioTestService = "MG0123456789abcdef0123456789abcdef"
)

func twilioConfigFor(from string) map[string]any {
	return map[string]any{"account_sid": twilioTestSID, "auth_token": twilioTestToken, "from": from, "to": "+4915112345678"}
}

func TestTwilioSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from string
		m    Message
		want url.Values
	}{
		{"down from a number", "+15557654321", downMessage(), url.Values{"To": {"+4915112345678"}, "From": {"+15557654321"},
			"Body": {"WatchDog: shop-api is down: unexpected status 503 (expected 200-399)"}}},
		{"up through a messaging service", twilioTestService, upMessage(), url.Values{"To": {"+4915112345678"},
			"MessagingServiceSid": {twilioTestService}, "Body": {"WatchDog: shop-api is up again after 12 min"}}},
		{"test", "+15557654321", testMessage(), url.Values{"To": {"+4915112345678"}, "From": {"+15557654321"},
			"Body": {"WatchDog: This is a test message from WatchDog."}}},
		{"checker degraded", "+15557654321", degradedMessage(), url.Values{"To": {"+4915112345678"}, "From": {"+15557654321"},
			"Body": {"WatchDog's checker is degraded: 37 of 40 targets failed at once"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "twilio", http.StatusCreated, func(string) map[string]any { return twilioConfigFor(tt.from) }, tt.m)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/2010-04-01/Accounts/"+twilioTestSID+"/Messages.json", got.Path)
			assert.Empty(t, got.Query)
			assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
			assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(twilioTestSID+":"+twilioTestToken)),
				got.Header.Get("Authorization"))
			assert.Equal(t, tt.want.Encode(), string(got.Body))
		})
	}
}

// However long the target's name and error, the SMS is one line of at most 160
// characters, without the characters that would force UCS-2.
func TestTwilioBodyFitsOneSMS(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "shop\napi " + strings.Repeat("x", 300)
	got := deliver(t, "twilio", http.StatusCreated, func(string) map[string]any { return twilioConfigFor("+15557654321") }, m)
	form, err := url.ParseQuery(string(got.Body))
	require.NoError(t, err)
	body := form.Get("Body")
	assert.Len(t, []rune(body), maxSMS)
	assert.True(t, strings.HasPrefix(body, "WatchDog: shop api xxx"), body)
	assert.True(t, strings.HasSuffix(body, "..."), body)
	assert.NotContains(t, body, "\n")
	assert.NotContains(t, body, "🔴")
	assert.NotContains(t, body, "—")
}

func TestTwilioValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config map[string]any
		want   []string
	}{
		{"number", twilioConfigFor("+15557654321"), nil},
		{"messaging service", twilioConfigFor(twilioTestService), nil},
		{"nothing", map[string]any{}, []string{"account_sid", "auth_token", "from", "to"}},
		{"every broken key", map[string]any{"account_sid": "AB0123", "auth_token": "SECRETVALUE-not-hex", "from": "WatchDog",
			"to": "0151 1234567"}, []string{"account_sid", "auth_token", "from", "to"}},
		{"to a messaging service", map[string]any{"account_sid": twilioTestSID, "auth_token": twilioTestToken,
			"from": "+15557654321", "to": twilioTestService}, []string{"to"}},
		{"a host is not a setting", func() map[string]any {
			c := twilioConfigFor("+15557654321")
			c["url"] = "https://api.example.com"
			return c
		}(), []string{"url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("twilio", json.RawMessage(rawJSON(t, tt.config)), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
			if err != nil {
				assert.NotContains(t, err.Error(), "SECRETVALUE")
			}
		})
	}
}

// Twilio's error answer (code, message, more_info) is what the channel's editor reads.
func TestTwilioErrorAnswer(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusBadRequest, `{"code": 21211, "message": "Invalid 'To' Phone Number: +4915112345678",
		"more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`, nil)
	ch := Channel{Type: "twilio", Config: rawJSON(t, twilioConfigFor("+15557654321"))}
	err := Send(context.Background(), ch, testEnv(rcv), downMessage())
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retry)
	assert.Contains(t, err.Error(), `twilio: answered 400 Bad Request: {"code": 21211, "message": "Invalid 'To' Phone Number: +4915112345678"`)
}
