package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type, Scheme string
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(got, &doc))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	assert.Equal(t, "/api/v1", doc.Servers[0].URL)
	assert.Equal(t, "http", doc.Components.SecuritySchemes["BearerAuth"].Type)
	assert.Equal(t, "bearer", doc.Components.SecuritySchemes["BearerAuth"].Scheme)
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "servers" {
				assert.Contains(t, []string{"/healthz", "/readyz"}, path, "only the probes live outside /api/v1")
				continue
			}
			var op struct {
				Security  *[]any `json:"security"`
				Responses map[string]struct {
					Content map[string]any `json:"content"`
					Headers map[string]any `json:"headers"`
				} `json:"responses"`
			}
			require.NoError(t, json.Unmarshal(raw, &op))
			assert.NotNil(t, op.Security, "%s %s states its security", method, path)
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
}
