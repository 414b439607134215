package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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
	// Responses stay open, and so does every schema a response reaches, even one a
	// request body uses too (a Target's conditions and warm windows).
	var raw struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(got, &raw))
	inResponse := map[string]bool{}
	var reach func(v json.RawMessage)
	reach = func(v json.RawMessage) {
		for _, m := range schemaRef.FindAllSubmatch(v, -1) {
			name := string(m[1])
			if !inResponse[name] {
				inResponse[name] = true
				reach(raw.Components.Schemas[name])
			}
		}
	}
	for _, item := range raw.Paths {
		for method, op := range item {
			if method == "servers" || method == "parameters" {
				continue
			}
			var o struct {
				Responses json.RawMessage `json:"responses"`
			}
			require.NoError(t, json.Unmarshal(op, &o))
			reach(o.Responses)
		}
	}
	for _, name := range []string{"Target", "Condition", "WarmWindow", "Channel", "TargetList"} {
		assert.True(t, inResponse[name], "%s is in a response", name)
	}
	for name := range inResponse {
		assert.Nil(t, doc.Components.Schemas[name].AdditionalProperties, "%s is in a response: it stays open", name)
		assert.NotContains(t, string(raw.Components.Schemas[name]), `"additionalProperties": false`,
			"%s is in a response: nothing inside it is closed", name)
	}
}

// schemaRef finds the component schemas a piece of the document refers to.
var schemaRef = regexp.MustCompile(`"\$ref": "#/components/schemas/([^"]+)"`)

// Inside a request body every object with properties is closed, at any depth, except
// a schema that a response reaches too; responses stay open.
func TestCloseRequestBodies(t *testing.T) {
	t.Parallel()
	obj := func(props map[string]*openapi3.SchemaRef) *openapi3.SchemaRef {
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: props})
	}
	ref := func(name string) *openapi3.SchemaRef { return openapi3.NewSchemaRef("#/components/schemas/"+name, nil) }
	str := openapi3.NewStringSchema().NewRef()
	free := openapi3.NewObjectSchema().NewRef() // no properties: a free-form object
	doc := &openapi3.T{
		Components: &openapi3.Components{Schemas: openapi3.Schemas{
			"Create":  obj(map[string]*openapi3.SchemaRef{"inner": ref("Inner"), "shared": ref("Shared"), "config": ref("Free")}),
			"Inner":   obj(map[string]*openapi3.SchemaRef{"deeper": {Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: ref("Deeper")}}}),
			"Deeper":  obj(map[string]*openapi3.SchemaRef{"name": str}),
			"Shared":  obj(map[string]*openapi3.SchemaRef{"nested": ref("Nested")}),
			"Nested":  obj(map[string]*openapi3.SchemaRef{"name": str}),
			"Free":    free,
			"Answer":  obj(map[string]*openapi3.SchemaRef{"shared": {Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: ref("Shared")}}}),
			"Problem": obj(map[string]*openapi3.SchemaRef{"title": str}),
		}},
		Paths: openapi3.NewPaths(openapi3.WithPath("/things", &openapi3.PathItem{Post: &openapi3.Operation{
			RequestBody: &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchemaRef(ref("Create"))},
			Responses: openapi3.NewResponses(
				openapi3.WithStatus(201, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithJSONSchemaRef(ref("Answer"))}),
				openapi3.WithStatus(400, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithJSONSchemaRef(ref("Problem"))}),
			),
		}})),
	}
	closeRequestBodies(doc)
	for name, want := range map[string]bool{
		"Create": true, "Inner": true, "Deeper": true,
		"Shared": false, "Nested": false, "Answer": false, "Problem": false, "Free": false,
	} {
		ap := doc.Components.Schemas[name].Value.AdditionalProperties
		assert.Equal(t, want, ap.Has != nil && !*ap.Has, "%s closed", name)
	}
}
