-- Browser impersonation: an http target's requests may carry the TLS and HTTP/2
-- fingerprint of chrome, firefox or safari; '' is Go's own, as before.
ALTER TABLE targets ADD COLUMN impersonate TEXT NOT NULL DEFAULT '';
