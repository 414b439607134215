package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConvertCommittedDocument converts the committed Swagger 2.0 file and checks
// what the conversion adds, and that the result is the committed OpenAPI document.
func TestConvertCommittedDocument(t *testing.T) {
	out := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, convert("../../../docs/swagger.json", []string{out}))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	committed, err := os.ReadFile("../../../docs/openapi.json")
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(got), "docs/openapi.json is stale: run make docs")

	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Description string `json:"description"`
		} `json:"info"`
		Tags []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"tags"`
		Servers []struct {
			URL       string `json:"url"`
			Variables map[string]struct {
				Default string   `json:"default"`
				Enum    []string `json:"enum"`
			} `json:"variables"`
		} `json:"servers"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type, Scheme string
			} `json:"securitySchemes"`
			Schemas map[string]struct {
				AdditionalProperties *bool `json:"additionalProperties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(got, &doc))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	// A usable absolute default: http://localhost:8080/api/v1 once the variables are filled.
	require.Len(t, doc.Servers, 1)
	assert.Equal(t, "{scheme}://{host}/api/v1", doc.Servers[0].URL)
	assert.Equal(t, "http", doc.Servers[0].Variables["scheme"].Default)
	assert.Equal(t, []string{"http", "https"}, doc.Servers[0].Variables["scheme"].Enum)
	assert.Equal(t, "localhost:8080", doc.Servers[0].Variables["host"].Default)
	assert.Contains(t, doc.Info.Description, "If-None-Match", "conditional requests are described once")
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		assert.NotEmpty(t, tag.Description, "tag %s has a description", tag.Name)
		tags[tag.Name] = true
	}
	closed := func(name string) bool {
		ap := doc.Components.Schemas[name].AdditionalProperties
		return ap != nil && !*ap
	}
	conditional := 0
	assert.Equal(t, "http", doc.Components.SecuritySchemes["BearerAuth"].Type)
	assert.Equal(t, "bearer", doc.Components.SecuritySchemes["BearerAuth"].Scheme)
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "servers" {
				assert.Contains(t, []string{"/healthz", "/readyz"}, path, "only the probes live outside /api/v1")
				continue
			}
			var op struct {
				Description string   `json:"description"`
				Tags        []string `json:"tags"`
				Conditional bool     `json:"x-conditional"`
				Parameters  []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Ref string `json:"$ref"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
				Security  *[]any `json:"security"`
				Responses map[string]struct {
					Content map[string]any `json:"content"`
					Headers map[string]any `json:"headers"`
				} `json:"responses"`
			}
			require.NoError(t, json.Unmarshal(raw, &op))
			assert.NotNil(t, op.Security, "%s %s states its security", method, path)
			assert.NotEmpty(t, op.Description, "%s %s has a description", method, path)
			for _, tag := range op.Tags {
				assert.True(t, tags[tag], "%s %s: tag %s is defined at the top", method, path, tag)
			}
			// Conditional requests are not in any operation's signature.
			assert.NotContains(t, op.Responses, "304", "%s %s", method, path)
			for _, p := range op.Parameters {
				assert.NotEqual(t, "header", p.In, "%s %s: header parameter %s", method, path, p.Name)
			}
			api := path != "/healthz" && path != "/readyz"
			assert.Equal(t, method == "get" && api, op.Conditional, "%s %s: x-conditional on every GET under /api/v1", method, path)
			if op.Conditional {
				conditional++
				assert.Contains(t, op.Responses["200"].Headers, "ETag", "%s %s", method, path)
			}
			if body, ok := op.RequestBody.Content["application/json"]; ok {
				name := strings.TrimPrefix(body.Schema.Ref, "#/components/schemas/")
				assert.True(t, closed(name), "%s %s: request body %s says additionalProperties: false", method, path, name)
			}
			for code, res := range op.Responses {
				if code >= "400" {
					assert.Contains(t, res.Content, "application/problem+json", "%s %s %s", method, path, code)
					assert.NotContains(t, res.Content, "application/json", "%s %s %s", method, path, code)
				}
				if code == "401" {
					assert.Contains(t, res.Headers, "WWW-Authenticate")
				}
				if code == "503" {
					assert.Contains(t, res.Headers, "Retry-After", "%s %s", method, path)
				}
			}
			assert.Contains(t, op.Responses, "500", "%s %s", method, path)
			assert.Contains(t, op.Responses, "503", "%s %s: any route can meet a failing database", method, path)
		}
	}
	assert.Positive(t, conditional)
	// Nested request objects are closed too; responses stay open.
	assert.True(t, closed("WarmWindow"), "a schema inside a request body")
	assert.Nil(t, doc.Components.Schemas["Target"].AdditionalProperties, "responses stay open")
}
