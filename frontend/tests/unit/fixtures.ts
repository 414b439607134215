import type { Target } from '../../src/api/types'

/** The fields every check type brought to a target, at the server's defaults for an http target. */
export const CHECK_TYPE_DEFAULTS = {
  type: 'http',
  cert_expiry_days: 14,
  cert_expires_at: null,
  tls_ca_pem: '',
  tls_client_cert_pem: '',
  tls_client_key_set: false,
  tls_skip_verify: false,
  impersonate: '',
  period_seconds: 86_400,
  grace_seconds: 3600,
  cron: '',
  ping_url: null,
  last_ping_at: null,
} as const satisfies Partial<Target>
