// Package config holds WatchDog's settings: their defaults, how they are read from the
// environment and command-line flags of the same name, and the rules they must meet.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// Config is every setting the server reads at start-up.
type Config struct {
	DatabaseURL        string
	ListenAddr         string
	AdminUser          string
	AdminPass          string
	JWTSecret          string
	CORSAllowedOrigins []string
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies      []*net.IPNet
	Workers             int
	MinIntervalSeconds  int
	AllowPrivateTargets bool
	CheckRetention      time.Duration
	// AuditRetention is how long the audit log keeps an entry.
	AuditRetention  time.Duration
	FrontendDir     string
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration

	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// MetricsPerTarget labels check metrics by target; a very large fleet may turn it
	// off to keep the number of series down.
	MetricsPerTarget bool
	// PublicURL is where people reach the dashboard, for links in notifications.
	PublicURL string
	// SelfPingURL, when set, is pinged once a minute while the scheduler is healthy,
	// and at /fail when it is not: another monitor's heartbeat watches this one. Its
	// token is a credential, so it is masked when printed.
	SelfPingURL string
	// NotifyTimeout bounds one notification request.
	NotifyTimeout time.Duration
	// NotifyRetryBase is the wait after a failed notification, doubled each time.
	NotifyRetryBase time.Duration
	// DegradedRatio is the share of active targets that, failing within
	// DegradedWindow, makes one "checker degraded" notice replace their alerts.
	DegradedRatio  float64
	DegradedWindow time.Duration
	// DegradedMinTargets is the fewest failing targets that can count as degraded.
	DegradedMinTargets int

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPFrom     string
	// SMTPTLS is starttls, tls or none.
	SMTPTLS string
}

// Default returns the settings used when nothing is set.
func Default() Config {
	return Config{
		ListenAddr: ":8080",
		AdminUser:  "admin",
		// The most checks in flight at once. A worker is a goroutine started per check,
		// so an idle server pays nothing; 100,000 targets a minute with some answering
		// slowly, some hanging and some retrying keep about 2,500 busy.
		Workers:            5000,
		MinIntervalSeconds: 30,
		CheckRetention:     7 * 24 * time.Hour,
		AuditRetention:     365 * 24 * time.Hour,
		LogLevel:           "info",
		LogFormat:          "text",
		ShutdownTimeout:    20 * time.Second,
		MetricsPerTarget:   true,
		NotifyTimeout:      10 * time.Second,
		NotifyRetryBase:    5 * time.Second,
		DegradedRatio:      0.5,
		DegradedWindow:     5 * time.Minute,
		DegradedMinTargets: 5,
		SMTPPort:           587,
		SMTPTLS:            "starttls",
	}
}

// Load reads the flags in args, then the environment for every setting no flag gave
// (flags win), and validates.
func Load(args []string, getenv func(string) string) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("watchdog", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.ReadEnv(fs, getenv); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// AddFlags defines on fs a flag for every setting, named like its environment
// variable and writing into c; each flag's default is c's value now.
func (c *Config) AddFlags(fs *flag.FlagSet) {
	fs.Var(stringValue{&c.DatabaseURL}, "DATABASE_URL", "postgres:// URL; empty means the SQLite file ./data/watchdog.db (or a sqlite path)")
	fs.Var(stringValue{&c.ListenAddr}, "LISTEN_ADDR", "address the HTTP server listens on")
	fs.Var(stringValue{&c.AdminUser}, "ADMIN_USER", "username of the first admin")
	fs.Var(stringValue{&c.AdminPass}, "ADMIN_PASS", "password of the first admin; empty generates one and writes it to first-admin-password in the data directory")
	fs.Var(stringValue{&c.JWTSecret}, "JWT_SECRET", "token signing key, at least 32 bytes; empty generates one kept in the database")
	fs.Var(listValue{&c.CORSAllowedOrigins}, "CORS_ALLOWED_ORIGINS", "comma-separated origins allowed to call the API from a browser")
	fs.Var(cidrsValue{&c.TrustedProxies}, "TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
	fs.Var(intValue{&c.Workers}, "WORKERS", "checks run at once")
	fs.Var(intValue{&c.MinIntervalSeconds}, "MIN_INTERVAL_SECONDS", "shortest interval a target may ask for")
	fs.Var(boolValue{&c.AllowPrivateTargets}, "ALLOW_PRIVATE_TARGETS", "allow loopback and private-network targets (IPv4 link-local 169.254.0.0/16 and metadata addresses stay refused)")
	fs.Var(durationValue{&c.CheckRetention}, "CHECK_RETENTION", "how long each check is kept (uptime and latency history lives on in hourly and daily rollups), e.g. 7d or 72h")
	fs.Var(durationValue{&c.AuditRetention}, "AUDIT_RETENTION", "how long the audit log keeps who changed what, e.g. 365d")
	fs.Var(stringValue{&c.FrontendDir}, "FRONTEND_DIR", "directory of the built dashboard to serve at /")
	fs.Var(stringValue{&c.LogLevel}, "LOG_LEVEL", "debug, info, warn or error")
	fs.Var(stringValue{&c.LogFormat}, "LOG_FORMAT", "text or json")
	fs.Var(durationValue{&c.ShutdownTimeout}, "SHUTDOWN_TIMEOUT", "how long in-flight checks and requests may take to finish at shutdown")
	fs.Var(stringValue{&c.MetricsToken}, "METRICS_TOKEN", "bearer token /metrics asks for; empty serves it to anyone who can reach it")
	fs.Var(boolValue{&c.MetricsPerTarget}, "METRICS_PER_TARGET", "label check metrics by target (turn off for very large fleets)")
	fs.Var(stringValue{&c.PublicURL}, "PUBLIC_URL", "the dashboard's address, for links in notifications")
	fs.Var(stringValue{&c.SelfPingURL}, "SELF_PING_URL", "a heartbeat URL (another WatchDog's, Healthchecks', any dead-man switch) pinged once a minute while the scheduler is healthy, and at URL/fail with the reason when it is not")
	fs.Var(durationValue{&c.NotifyTimeout}, "NOTIFY_TIMEOUT", "how long one notification request may take")
	fs.Var(durationValue{&c.NotifyRetryBase}, "NOTIFY_RETRY_BASE", "wait after a failed notification, doubled after each later failure (up to 30 min)")
	fs.Var(floatValue{&c.DegradedRatio}, "DEGRADED_RATIO", "share of active targets failing at once that sends one 'checker degraded' notice instead of their alerts")
	fs.Var(durationValue{&c.DegradedWindow}, "DEGRADED_WINDOW", "how close together failures count as 'at once'")
	fs.Var(intValue{&c.DegradedMinTargets}, "DEGRADED_MIN_TARGETS", "fewest failing targets that can count as the checker degraded")
	fs.Var(stringValue{&c.SMTPHost}, "SMTP_HOST", "mail server for email channels")
	fs.Var(intValue{&c.SMTPPort}, "SMTP_PORT", "mail server port")
	fs.Var(stringValue{&c.SMTPUsername}, "SMTP_USERNAME", "mail server login")
	fs.Var(stringValue{&c.SMTPPassword}, "SMTP_PASSWORD", "mail server password")
	fs.Var(stringValue{&c.SMTPFrom}, "SMTP_FROM", "sender address of email notifications")
	fs.Var(stringValue{&c.SMTPTLS}, "SMTP_TLS", "starttls, tls or none")
}

// ReadEnv sets every setting of fs (defined by AddFlags) that was not given as a flag
// from its environment variable, when that is set and not empty. It reports every
// variable it cannot read, never quoting a value: it may be a secret.
func (c *Config) ReadEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(settingValue); !ok || given[f.Name] {
			return
		}
		if text := getenv(f.Name); text != "" {
			if err := f.Value.Set(text); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", f.Name, err))
			}
		}
	})
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// MinJWTSecretLen is the shortest signing key accepted: HS256 wants 256 bits.
const MinJWTSecretLen = 32

// Validate reports every setting that breaks a rule.
func (c Config) Validate() error {
	var errs []error
	if c.JWTSecret != "" && len(c.JWTSecret) < MinJWTSecretLen {
		errs = append(errs, fmt.Errorf("JWT_SECRET must be at least %d bytes (it is %d); unset it to have one generated", MinJWTSecretLen, len(c.JWTSecret)))
	}
	if c.Workers < 1 || c.Workers > 100000 {
		errs = append(errs, fmt.Errorf("WORKERS must be between 1 and 100000"))
	}
	if c.MinIntervalSeconds < 1 || c.MinIntervalSeconds > 86400 {
		errs = append(errs, fmt.Errorf("MIN_INTERVAL_SECONDS must be between 1 and 86400"))
	}
	if c.CheckRetention < time.Hour {
		errs = append(errs, fmt.Errorf("CHECK_RETENTION must be at least 1h"))
	}
	if c.AuditRetention < 24*time.Hour {
		errs = append(errs, fmt.Errorf("AUDIT_RETENTION must be at least 1d"))
	}
	if c.AdminUser == "" {
		errs = append(errs, fmt.Errorf("ADMIN_USER must not be empty"))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("LOG_FORMAT must be text or json"))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error"))
	}
	if c.NotifyTimeout < time.Second || c.NotifyTimeout > 5*time.Minute {
		errs = append(errs, fmt.Errorf("NOTIFY_TIMEOUT must be between 1s and 5m"))
	}
	if c.NotifyRetryBase < 100*time.Millisecond || c.NotifyRetryBase > time.Hour {
		errs = append(errs, fmt.Errorf("NOTIFY_RETRY_BASE must be between 100ms and 1h"))
	}
	if c.DegradedRatio <= 0 || c.DegradedRatio > 1 {
		errs = append(errs, fmt.Errorf("DEGRADED_RATIO must be above 0 and at most 1"))
	}
	if c.DegradedWindow < 10*time.Second || c.DegradedWindow > 24*time.Hour {
		errs = append(errs, fmt.Errorf("DEGRADED_WINDOW must be between 10s and 24h"))
	}
	if c.DegradedMinTargets < 1 {
		errs = append(errs, fmt.Errorf("DEGRADED_MIN_TARGETS must be at least 1"))
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("SMTP_PORT must be a port number"))
	}
	switch c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("SMTP_TLS must be starttls, tls or none"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("PUBLIC_URL must be an absolute http or https URL"))
		}
	}
	if c.SelfPingURL != "" {
		if u, err := url.Parse(c.SelfPingURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("SELF_PING_URL must be an absolute http or https URL"))
		}
	}
	if c.FrontendDir != "" {
		if st, err := os.Stat(c.FrontendDir); err != nil || !st.IsDir() {
			errs = append(errs, fmt.Errorf("FRONTEND_DIR %q is not a directory", c.FrontendDir))
		}
	}
	return errors.Join(errs...)
}

// String prints the settings with secrets masked, for the start-up log.
func (c Config) String() string {
	return fmt.Sprintf("database=%s listen=%s workers=%d min_interval=%ds allow_private=%t retention=%s frontend=%q cors=%v jwt_secret=%s admin_pass=%s metrics_token=%s smtp=%s:%d smtp_password=%s self_ping_url=%s",
		MaskURL(c.DatabaseURL), c.ListenAddr, c.Workers, c.MinIntervalSeconds, c.AllowPrivateTargets,
		c.CheckRetention, c.FrontendDir, c.CORSAllowedOrigins, mask(c.JWTSecret), mask(c.AdminPass),
		mask(c.MetricsToken), c.SMTPHost, c.SMTPPort, mask(c.SMTPPassword), mask(c.SelfPingURL))
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

// MaskURL is the one way a database URL is printed: the password in user:pass@, the
// value of every query parameter whose name holds "password", "secret" or "token"
// (password=, sslpassword=, …) and, in anything that is not a URL (a SQLite path, or
// a key=value string such as host=db password=x), the value of every such key
// become xxxxx. url.URL.Redacted hides only the user-info password, and pgx reads a
// password from the query too.
//
// A password holding an unescaped #, / or ? ends the authority early
// (postgres://wd:2024#Spring@db/wd reads as host wd:2024 and no user info), so
// whenever an @ comes after the end of the authority, everything from :// to the last
// @ is masked. A #fragment is masked too, and a URL that does not parse is not
// printed at all.
func MaskURL(raw string) string {
	if raw == "" {
		return "(sqlite default)"
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return secretKeyValue.ReplaceAllString(raw, "${1}xxxxx")
	}
	authorityEnd := strings.IndexAny(rest, "/?#")
	if authorityEnd < 0 {
		authorityEnd = len(rest)
	}
	if at := strings.LastIndex(rest, "@"); at > authorityEnd {
		// What comes after the last @ holds no @: masked again, it is read as it is.
		return MaskURL(scheme + "://xxxxx@" + rest[at+1:])
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if u.User == nil && strings.Contains(rest, "@") {
		// Not expected after the check above; never print it if it happens.
		return "(unparseable)"
	}
	if u.Fragment != "" || u.RawFragment != "" || strings.Contains(rest, "#") {
		u.Fragment, u.RawFragment = "xxxxx", ""
	}
	if u.RawQuery != "" {
		pairs := strings.Split(u.RawQuery, "&")
		for i, pair := range pairs {
			key, _, _ := strings.Cut(pair, "=")
			if name, err := url.QueryUnescape(key); err != nil || secretName(name) {
				pairs[i] = key + "=xxxxx"
			}
		}
		u.RawQuery = strings.Join(pairs, "&")
	}
	return u.Redacted()
}

// secretName tells whether a connection parameter holds a secret.
func secretName(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "password") || strings.Contains(name, "secret") || strings.Contains(name, "token")
}

// secretKeyValue finds key=value pairs whose key names a secret, in libpq's key=value
// form (a value may be 'quoted') or a SQLite path's ?query.
var secretKeyValue = regexp.MustCompile(`(?i)([\w.-]*(?:password|secret|token)[\w.-]*\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)`)
