// Package apidoc embeds the generated OpenAPI 3 document (made by `make docs` from the
// swag annotations in httpapi, copied here from docs/openapi.json) so the binary can
// serve it at /openapi.json.
package apidoc

import _ "embed"

// OpenAPI is the OpenAPI 3.0 document of the API.
//
//go:embed openapi.json
var OpenAPI []byte
