package config

import (
	"log/slog"
	"strings"
)

// LogValue makes the settings loggable as fields: a group keyed by each setting's
// name in lower case, so a JSON log has "config":{"workers":5000,…} that a log
// pipeline can filter on, not one string to parse. Secrets are never logged: a
// secret setting shows only whether it is set, and the database URL loses its
// password. Durations are strings ("168h0m0s"), not nanoseconds.
func (c Config) LogValue() slog.Value {
	proxies := make([]string, len(c.TrustedProxies))
	for i, n := range c.TrustedProxies {
		proxies[i] = n.String()
	}
	return slog.GroupValue(
		slog.String("database_url", MaskURL(c.DatabaseURL)),
		slog.String("listen_addr", c.ListenAddr),
		slog.String("admin_user", c.AdminUser),
		slog.String("admin_pass", mask(c.AdminPass)),
		slog.String("jwt_secret", mask(c.JWTSecret)),
		slog.String("cors_allowed_origins", strings.Join(c.CORSAllowedOrigins, ",")),
		slog.String("trusted_proxies", strings.Join(proxies, ",")),
		slog.Int("workers", c.Workers),
		slog.Int("min_interval_seconds", c.MinIntervalSeconds),
		slog.Bool("allow_private_targets", c.AllowPrivateTargets),
		slog.String("check_retention", FormatDuration(c.CheckRetention)),
		slog.String("audit_retention", FormatDuration(c.AuditRetention)),
		slog.String("frontend_dir", c.FrontendDir),
		slog.String("log_level", c.LogLevel),
		slog.String("log_format", c.LogFormat),
		slog.String("shutdown_timeout", FormatDuration(c.ShutdownTimeout)),
		slog.String("metrics_token", mask(c.MetricsToken)),
		slog.Bool("metrics_per_target", c.MetricsPerTarget),
		slog.String("public_url", c.PublicURL),
		// Its token lets anyone ping (or fail) the watcher's heartbeat.
		slog.String("self_ping_url", mask(c.SelfPingURL)),
		slog.String("notify_timeout", FormatDuration(c.NotifyTimeout)),
		slog.String("notify_retry_base", FormatDuration(c.NotifyRetryBase)),
		slog.Float64("degraded_ratio", c.DegradedRatio),
		slog.String("degraded_window", FormatDuration(c.DegradedWindow)),
		slog.Int("degraded_min_targets", c.DegradedMinTargets),
		slog.String("smtp_host", c.SMTPHost),
		slog.Int("smtp_port", c.SMTPPort),
		slog.String("smtp_username", c.SMTPUsername),
		slog.String("smtp_password", mask(c.SMTPPassword)),
		slog.String("smtp_from", c.SMTPFrom),
		slog.String("smtp_tls", c.SMTPTLS),
	)
}
