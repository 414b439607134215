package httpapi

// The API's general description for swag, which generates the OpenAPI document.
//
//	@title						WatchDog API
//	@version					1.0
//	@description				Uptime monitoring and keep-warm pings. Log in at /auth/login, then send the access token as `Authorization: Bearer <token>`. Errors are RFC 9457 problem documents (application/problem+json) whose `errors` array names the offending fields.
//	@license.name				MIT
//	@license.url				https://opensource.org/licenses/MIT
//	@BasePath					/api/v1
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				An access token from /auth/login, sent as "Bearer <token>".
