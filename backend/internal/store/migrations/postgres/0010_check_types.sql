-- Every kind of check: a target has a type (http, tcp, tls, dns, icmp, heartbeat),
-- TLS options, a certificate expiry warning, and, for a heartbeat, its schedule and
-- ping token. A check records what its type measured.

ALTER TABLE targets ADD COLUMN type TEXT NOT NULL DEFAULT 'http';
ALTER TABLE targets ADD COLUMN cert_expiry_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE targets ADD COLUMN tls_ca_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN tls_client_cert_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN tls_client_key_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN tls_skip_verify BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE targets ADD COLUMN period_seconds INTEGER NOT NULL DEFAULT 86400;
ALTER TABLE targets ADD COLUMN grace_seconds INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE targets ADD COLUMN cron TEXT NOT NULL DEFAULT '';
-- A heartbeat's ping token; NULL for other types. Pings find their target by it.
ALTER TABLE targets ADD COLUMN ping_token TEXT;
CREATE UNIQUE INDEX targets_ping_token ON targets (ping_token) WHERE ping_token IS NOT NULL;
-- A heartbeat's last ping of any kind (success, fail, exit code), and when its job
-- last said it started (/start), until the next ping.
ALTER TABLE targets ADD COLUMN last_ping_at TIMESTAMPTZ;
ALTER TABLE targets ADD COLUMN run_started_at TIMESTAMPTZ;
ALTER TABLE targets ADD COLUMN cert_expires_at TIMESTAMPTZ;

ALTER TABLE checks ADD COLUMN cert_expires_at TIMESTAMPTZ;
ALTER TABLE checks ADD COLUMN answer TEXT;
ALTER TABLE checks ADD COLUMN packet_loss DOUBLE PRECISION;
ALTER TABLE checks ADD COLUMN message TEXT;
