package target

// Impersonation names the browser whose TLS and HTTP/2 fingerprint an http target's
// requests carry.
type Impersonation string

// The browsers an http target can impersonate. ImpersonateNone is Go's own TLS stack
// with browser-like headers: the default, and what every target did before.
const (
	ImpersonateNone    Impersonation = ""
	ImpersonateChrome  Impersonation = "chrome"
	ImpersonateFirefox Impersonation = "firefox"
	ImpersonateSafari  Impersonation = "safari"
)

// Impersonations lists every accepted value, ImpersonateNone first.
var Impersonations = []Impersonation{ImpersonateNone, ImpersonateChrome, ImpersonateFirefox, ImpersonateSafari}
