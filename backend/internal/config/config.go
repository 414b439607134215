// Package config holds WatchDog's settings: their defaults, how they are read from the
// environment and command-line flags of the same name, and the rules they must meet.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
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
	FrontendDir         string
	LogLevel            string
	LogFormat           string
	ShutdownTimeout     time.Duration
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
		LogLevel:           "info",
		LogFormat:          "text",
		ShutdownTimeout:    20 * time.Second,
	}
}

// Load reads the environment, then the flags in args (flags win), and validates.
func Load(args []string, getenv func(string) string) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("watchdog", flag.ContinueOnError)
	str := func(p *string, name, usage string) {
		if v := getenv(name); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage)
	}
	var (
		origins   = strings.Join(c.CORSAllowedOrigins, ",")
		proxies   string
		workers   = strconv.Itoa(c.Workers)
		minIvl    = strconv.Itoa(c.MinIntervalSeconds)
		private   = strconv.FormatBool(c.AllowPrivateTargets)
		retention = c.CheckRetention.String()
		shutdown  = c.ShutdownTimeout.String()
	)
	str(&c.DatabaseURL, "DATABASE_URL", "postgres:// URL; empty means the SQLite file ./data/watchdog.db (or a sqlite path)")
	str(&c.ListenAddr, "LISTEN_ADDR", "address the HTTP server listens on")
	str(&c.AdminUser, "ADMIN_USER", "username of the first admin")
	str(&c.AdminPass, "ADMIN_PASS", "password of the first admin; empty generates one and prints it once")
	str(&c.JWTSecret, "JWT_SECRET", "token signing key, at least 32 bytes; empty generates one kept in the database")
	str(&origins, "CORS_ALLOWED_ORIGINS", "comma-separated origins allowed to call the API from a browser")
	str(&proxies, "TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
	str(&workers, "WORKERS", "checks run at once")
	str(&minIvl, "MIN_INTERVAL_SECONDS", "shortest interval a target may ask for")
	str(&private, "ALLOW_PRIVATE_TARGETS", "allow loopback and private-network targets (metadata addresses stay refused)")
	str(&retention, "CHECK_RETENTION", "how long each check is kept (uptime and latency history lives on in hourly and daily rollups), e.g. 7d or 72h")
	str(&c.FrontendDir, "FRONTEND_DIR", "directory of the built dashboard to serve at /")
	str(&c.LogLevel, "LOG_LEVEL", "debug, info, warn or error")
	str(&c.LogFormat, "LOG_FORMAT", "text or json")
	str(&shutdown, "SHUTDOWN_TIMEOUT", "how long in-flight checks and requests may take to finish at shutdown")
	if err := fs.Parse(args); err != nil {
		return c, err
	}

	var errs []error
	c.CORSAllowedOrigins = splitList(origins)
	for _, cidr := range splitList(proxies) {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", cidr))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	c.Workers = parse(&errs, "WORKERS", workers, strconv.Atoi)
	c.MinIntervalSeconds = parse(&errs, "MIN_INTERVAL_SECONDS", minIvl, strconv.Atoi)
	c.AllowPrivateTargets = parse(&errs, "ALLOW_PRIVATE_TARGETS", private, strconv.ParseBool)
	c.CheckRetention = parse(&errs, "CHECK_RETENTION", retention, target.ParseDays)
	c.ShutdownTimeout = parse(&errs, "SHUTDOWN_TIMEOUT", shutdown, time.ParseDuration)
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func parse[T any](errs *[]error, name, text string, fn func(string) (T, error)) T {
	v, err := fn(strings.TrimSpace(text))
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: cannot read %q", name, text))
	}
	return v
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
	if c.FrontendDir != "" {
		if st, err := os.Stat(c.FrontendDir); err != nil || !st.IsDir() {
			errs = append(errs, fmt.Errorf("FRONTEND_DIR %q is not a directory", c.FrontendDir))
		}
	}
	return errors.Join(errs...)
}

// String prints the settings with secrets masked, for the start-up log.
func (c Config) String() string {
	return fmt.Sprintf("database=%s listen=%s workers=%d min_interval=%ds allow_private=%t retention=%s frontend=%q cors=%v jwt_secret=%s admin_pass=%s",
		MaskURL(c.DatabaseURL), c.ListenAddr, c.Workers, c.MinIntervalSeconds, c.AllowPrivateTargets,
		c.CheckRetention, c.FrontendDir, c.CORSAllowedOrigins, mask(c.JWTSecret), mask(c.AdminPass))
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

// MaskURL hides the password in a database URL.
func MaskURL(raw string) string {
	if raw == "" {
		return "(sqlite default)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}
