package httpapi

import (
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"
	swaggerFiles "github.com/swaggo/files/v2"
)

// docsAssets are the Swagger UI files the docs page loads, served from swaggo/files.
// Nothing else under /docs is served: the distribution's own index.html and
// swagger-initializer.js would open the Petstore example, and there is no Swagger
// 2.0 document here (no doc.json, no doc.yaml) — only the OpenAPI 3 one at /openapi.json.
var docsAssets = []string{
	"swagger-ui.css",
	"swagger-ui-bundle.js",
	"favicon-32x32.png",
	"favicon-16x16.png",
}

// docsPage is the browsable API reference. It loads /openapi.json itself, so that it
// can put this server first in the list of servers: the document's own default
// (http://localhost:8080/api/v1) suits a generated client, but "Try it out" here
// should call the server that serves the page (the document's servers stay listed). Paths are relative to /docs/, so the
// page also works behind a reverse proxy that mounts WatchDog under a prefix.
const docsPage = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>WatchDog API</title>
  <link rel="stylesheet" href="./swagger-ui.css">
  <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16">
  <style>body { margin: 0; } #docs-error { font-family: sans-serif; margin: 2em; color: #a00; }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script>
<script>
window.addEventListener('load', async function () {
  const specURL = new URL('../openapi.json', window.location.href).href
  let spec
  try {
    const res = await fetch(specURL, { headers: { Accept: 'application/json' } })
    if (!res.ok) throw new Error('HTTP ' + res.status)
    spec = await res.json()
  } catch (err) {
    const p = document.createElement('p')
    p.id = 'docs-error'
    p.textContent = 'Could not read ' + specURL + ': ' + err.message
    document.body.prepend(p)
    return
  }
  // This server first, then the document's own (the probes have their own, at the root).
  const origin = new URL('..', window.location.href).href.replace(/\/$/, '')
  const first = function (servers, url) {
    return [{ url: url, description: 'This WatchDog server' }].concat(servers || [])
  }
  spec.servers = first(spec.servers, origin + '/api/v1')
  Object.values(spec.paths || {}).forEach(function (item) {
    if (item.servers) item.servers = first(item.servers, origin)
  })
  window.ui = SwaggerUIBundle({
    spec: spec,
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'list',
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  })
})
</script>
</body>
</html>
`

// docsIndex serves the docs page.
func docsIndex(c echo.Context) error {
	return c.HTML(http.StatusOK, docsPage)
}

// docsAsset serves one of docsAssets, and 404 for any other name.
func docsAsset(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := fs.ReadFile(swaggerFiles.FS, name)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		return c.Blob(http.StatusOK, mime.TypeByExtension(path.Ext(name)), body)
	}
}
