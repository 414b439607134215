package outbox

import (
	"net/http"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

// NewClient is the HTTP client notifications are sent with. It dials through the
// same guard as the prober, so a channel URL cannot reach a private or metadata
// address, ignores proxy settings (a proxy would dial out of the guard's reach), and
// follows no redirects: a provider that moved answers 3xx, which is reported, not
// chased with the message's body.
func NewClient(guard *netguard.Guard) *http.Client {
	dialer := guard.Dialer()
	dialer.Timeout = 10 * time.Second
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            dialer.DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    10 * time.Second,
			MaxIdleConnsPerHost:    4,
			IdleConnTimeout:        90 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
