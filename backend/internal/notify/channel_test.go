package notify

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func TestChannelValidate(t *testing.T) {
	env := Env{CheckURL: func(u *url.URL) error {
		if u.Hostname() == "169.254.169.254" {
			return errors.New("is a metadata address")
		}
		return nil
	}}
	for _, tc := range []struct {
		name   string
		ch     Channel
		fields []string
	}{
		{"good", Channel{Name: "ops 🚀", Type: "ntfy", Config: []byte(`{"topic":"t"}`)}, nil},
		{"no name", Channel{Type: "ntfy", Config: []byte(`{"topic":"t"}`)}, []string{"name"}},
		{"long name with a BEL", Channel{Name: strings.Repeat("n", 300) + "\a" + "oops", Type: "ntfy", Config: []byte(`{"topic":"t"}`)}, []string{"name"}},
		{"bidi override", Channel{Name: "\u202eops", Type: "ntfy", Config: []byte(`{"topic":"t"}`)}, []string{"name"}},
		{"unknown type", Channel{Name: "x", Type: "pigeon", Config: []byte(`{}`)}, []string{"type"}},
		{"bad config", Channel{Name: "x", Type: "ntfy", Config: []byte(`{}`)}, []string{"config.topic"}},
		{"guarded url", Channel{Name: "x", Type: "webhook", Config: []byte(`{"url":"http://169.254.169.254/"}`)}, []string{"config.url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ch.Validate(env)
			if tc.fields == nil {
				require.NoError(t, err)
				return
			}
			var v *target.ValidationError
			require.True(t, errors.As(err, &v), "%v", err)
			var got []string
			for _, f := range v.Fields {
				got = append(got, f.Field)
			}
			assert.Equal(t, tc.fields, got)
		})
	}
}
