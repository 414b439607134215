package httpapi

// The API's general description for swag, which generates the OpenAPI document.
//
//	@title						WatchDog API
//	@version					1.0
//	@description				Uptime monitoring and keep-warm pings. Log in at /auth/login, then send the access token as `Authorization: Bearer <token>`; scripts and SDKs send an API key (`wd_…`, from POST /api-keys) the same way. Roles: viewer reads, editor also changes targets, channels and status pages, admin also manages users and reads the audit log; too low a role is 403. Errors are RFC 9457 problem documents (application/problem+json) whose `errors` array names the offending fields.
//	@license.name				MIT
//	@license.url				https://opensource.org/licenses/MIT
//	@BasePath					/api/v1
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				An access token from /auth/login, sent as "Bearer <token>".
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						Authorization
//	@description				An API key from POST /api-keys, sent as "Bearer wd_…".
