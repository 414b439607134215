package httpapi

// The API's general description for swag, which generates the OpenAPI document.
//
//	@title						WatchDog API
//	@version					1.0
//	@description				Uptime monitoring and keep-warm pings. Log in at /auth/login, then send the access token as `Authorization: Bearer <token>`; scripts and SDKs send an API key (`wd_…`, from POST /api-keys) the same way. Roles: viewer reads, editor also changes targets, channels and status pages, admin also manages users and reads the audit log; too low a role is 403. Errors are RFC 9457 problem documents (application/problem+json) whose `errors` array names the offending fields. Conditional requests: every GET under /api/v1 (marked `x-conditional: true`) answers 200 with an `ETag` header; send that value back in `If-None-Match` and, while the answer is unchanged, you get 304 Not Modified with no body: keep what you had. The header is optional and is not a parameter of any operation. Request bodies are strict: a field the schema does not list is a 400.
//	@license.name				MIT
//	@license.url				https://opensource.org/licenses/MIT
//	@host						localhost:8080
//	@BasePath					/api/v1
//	@schemes					http https
//
//	@tag.name			auth
//	@tag.description	Logging in, renewing and ending a session, the caller's password and two-factor login.
//	@tag.name			users
//	@tag.description	The people who use this WatchDog and their roles (admin).
//	@tag.name			api-keys
//	@tag.description	Keys for scripts and SDKs, sent as `Authorization: Bearer wd_…`.
//	@tag.name			targets
//	@tag.description	The monitored services: what to request, how often, and what counts as up.
//	@tag.name			checks
//	@tag.description	Check results, per-target statistics, heartbeat strips and the totals by state.
//	@tag.name			incidents
//	@tag.description	Outages, keep-warm breaches and certificate warnings, newest first.
//	@tag.name			channels
//	@tag.description	Where alerts go (webhook, Slack, Discord, email, …); secrets are write-only.
//	@tag.name			keep-warm
//	@tag.description	Hosting presets and the free-hour budgets of keep-warm targets.
//	@tag.name			status-pages
//	@tag.description	Public status pages: which targets they show.
//	@tag.name			public
//	@tag.description	What anyone may read without a credential: status pages and badges.
//	@tag.name			audit
//	@tag.description	Who changed what, and when (admin).
//	@tag.name			config
//	@tag.description	Configuration as code: export the whole configuration, apply a manifest.
//	@tag.name			health
//	@tag.description	Liveness and readiness probes, outside /api/v1, with no credential.
//	@tag.name			pings
//	@tag.description	Where heartbeat targets' jobs report: a ping, a start, a failure or an exit code, with the token as the credential.
//
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				An access token from /auth/login, sent as "Bearer <token>".
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						Authorization
//	@description				An API key from POST /api-keys, sent as "Bearer wd_…".
