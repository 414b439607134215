// Command openapi3 turns the Swagger 2.0 document that swag writes from the handlers'
// annotations into the OpenAPI 3.0 document WatchDog publishes, and adds what Swagger
// 2.0 cannot say: problem responses as application/problem+json, the bearer scheme as
// HTTP bearer, and the health probes living outside /api/v1. `make docs` runs it:
//
//	openapi3 -in docs/swagger.json -out docs/openapi.json -out internal/apidoc/openapi.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

type outputs []string

func (o *outputs) String() string     { return strings.Join(*o, ",") }
func (o *outputs) Set(v string) error { *o = append(*o, v); return nil }

func main() {
	in := flag.String("in", "docs/swagger.json", "Swagger 2.0 input")
	var outs outputs
	flag.Var(&outs, "out", "OpenAPI 3 output (repeatable)")
	flag.Parse()
	if err := convert(*in, outs); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func convert(in string, outs []string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	refine(doc)
	closeRequestBodies(doc)
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	// Validate the document as a reader would load it, references resolved.
	loader := openapi3.NewLoader()
	loaded, err := loader.LoadFromData(body)
	if err != nil {
		return fmt.Errorf("load converted document: %w", err)
	}
	if err := loaded.Validate(loader.Context); err != nil {
		return fmt.Errorf("converted document is invalid: %w", err)
	}
	body = append(body, '\n')
	for _, out := range outs {
		if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, body) {
			continue
		}
		if err := os.WriteFile(out, body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

const problemRef = "#/components/schemas/Problem"

// conditionalExtension marks the operations that answer with an ETag and honour
// If-None-Match (304 Not Modified, no body).
const conditionalExtension = "x-conditional"

// apiServer is where a generated client sends requests by default: an absolute URL,
// so that a client works without editing, on http://localhost:8080 unless the
// variables say otherwise. basePath is "/api/v1" for the API, "" for the root probes.
func apiServer(basePath string) *openapi3.Server {
	return &openapi3.Server{
		URL:         "{scheme}://{host}" + basePath,
		Description: "A WatchDog server (self-hosted: set host to yours)",
		Variables: map[string]*openapi3.ServerVariable{
			"scheme": {Default: "http", Enum: []string{"http", "https"}, Description: "http, or https behind TLS"},
			"host":   {Default: "localhost:8080", Description: "Host name and port of the WatchDog server"},
		},
	}
}

// rootPaths are served at the server's root, not under /api/v1.
var rootPaths = []string{"/healthz", "/readyz"}

func refine(doc *openapi3.T) {
	doc.OpenAPI = "3.0.3"
	if doc.Components != nil {
		doc.Components.SecuritySchemes = openapi3.SecuritySchemes{
			"BearerAuth": &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme().
				WithDescription("An access token from POST /auth/login, sent as `Authorization: Bearer <token>`.")},
			// Sent the same way as an access token; a second scheme so generated clients
			// know which operations take a key (all but the session ones).
			"ApiKeyAuth": &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().WithType("http").
				WithScheme("bearer").WithBearerFormat("wd_ API key").
				WithDescription("An API key from POST /api-keys, sent as `Authorization: Bearer wd_…`. It acts as its creator with at most their role.")},
		}
	}
	problemResponse := func(description string) *openapi3.ResponseRef {
		return &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(description).
			WithContent(openapi3.Content{"application/problem+json": openapi3.NewMediaType().
				WithSchemaRef(openapi3.NewSchemaRef(problemRef, nil))})}
	}
	// Answers any route can give, whatever its annotations say: the body limit is
	// enforced before routing, and any handler can meet a database error.
	common := map[string]*openapi3.ResponseRef{
		"413": problemResponse("Body over 1 MiB"),
		"500": problemResponse("Internal server error; the log has the details under the request id"),
		"503": problemResponse("The database is failing (unreachable, disk full, read-only); nothing was changed. Send the request again after Retry-After seconds"),
	}
	retryAfter := &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "Seconds to wait before sending the request again",
		Schema:      openapi3.NewIntegerSchema().NewRef(),
	}}}
	wwwAuthenticate := &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "Bearer realm=\"watchdog\": how to authenticate",
		Schema:      openapi3.NewStringSchema().NewRef(),
	}}}
	etagHeader := &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "Tag of this answer; send it back in If-None-Match to get 304 Not Modified, with no body, while it holds",
		Schema:      openapi3.NewStringSchema().NewRef(),
	}}}
	doc.Servers = openapi3.Servers{apiServer("/api/v1")}
	for path, item := range doc.Paths.Map() {
		root := slices.Contains(rootPaths, path)
		if root {
			item.Servers = openapi3.Servers{apiServer("")}
		}
		if get := item.Get; get != nil && !root {
			// Every GET under /api/v1 goes through the etag middleware. Conditional
			// requests are documented once (the info description) and marked here, not
			// as an If-None-Match parameter and a 304 response on every operation: those
			// would put an argument in every generated method's signature and make 304
			// a bodiless "success" that generated code then reads as data.
			if get.Extensions == nil {
				get.Extensions = map[string]any{}
			}
			get.Extensions[conditionalExtension] = true
			if ok := get.Responses.Value("200"); ok != nil {
				if ok.Value.Headers == nil {
					ok.Value.Headers = openapi3.Headers{}
				}
				ok.Value.Headers["ETag"] = etagHeader
			}
		}
		for _, op := range item.Operations() {
			if op.Security == nil {
				// Say outright that no credential is needed, rather than leave it unsaid.
				op.Security = openapi3.NewSecurityRequirements()
			}
			for code, resp := range common {
				if op.Responses.Value(code) == nil {
					op.Responses.Set(code, resp)
				}
			}
			for code, resp := range op.Responses.Map() {
				problemMediaType(resp)
				if code == "401" {
					resp.Value.Headers = openapi3.Headers{"WWW-Authenticate": wwwAuthenticate}
				}
				if code == "503" {
					resp.Value.Headers = openapi3.Headers{"Retry-After": retryAfter}
				}
			}
		}
	}
}

// problemMediaType moves a response whose body is a Problem to the RFC 9457 media type.
func problemMediaType(resp *openapi3.ResponseRef) {
	if resp == nil || resp.Value == nil {
		return
	}
	// swag gives an error answer the operation's media type (image/svg+xml for a
	// badge); a problem is always application/problem+json, whatever the success is.
	for name, mt := range resp.Value.Content {
		if mt == nil || mt.Schema == nil || mt.Schema.Ref != problemRef {
			continue
		}
		delete(resp.Value.Content, name)
		resp.Value.Content["application/problem+json"] = mt
	}
}

// closeRequestBodies sets additionalProperties: false on every JSON request body's
// schema and the object schemas inside it: the server refuses an unknown field at any
// depth (decode uses DisallowUnknownFields), so a client may as well know it. Response
// schemas stay open, so that a later server may add fields without breaking clients:
// a schema that a response reaches too (Condition and WarmWindow, inside a Target and
// inside TargetCreate) stays open, even in a request, rather than being split into a
// request copy under another name, which would rename the generated SDKs' types.
// Only schemas with properties are closed (a free-form object such as a channel's
// config, or a map of headers, keeps what it says).
func closeRequestBodies(doc *openapi3.T) {
	inResponse := map[*openapi3.Schema]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses == nil {
				continue
			}
			for _, resp := range op.Responses.Map() {
				if resp == nil || resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					if mt != nil {
						walkSchemas(doc, mt.Schema, func(s *openapi3.Schema) { inResponse[s] = true })
					}
				}
			}
		}
	}
	no := false
	closeSchema := func(s *openapi3.Schema) {
		if !inResponse[s] && s.Type.Is(openapi3.TypeObject) && len(s.Properties) > 0 &&
			s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = &no
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
				walkSchemas(doc, mt.Schema, closeSchema)
			}
		}
	}
}

// walkSchemas calls visit once on ref's schema and on every schema inside it:
// properties, items, allOf, oneOf, anyOf and additionalProperties, following
// references into the document's components.
func walkSchemas(doc *openapi3.T, ref *openapi3.SchemaRef, visit func(*openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref != nil && ref.Value == nil && doc.Components != nil {
			// The converted document's references are not resolved yet.
			ref = doc.Components.Schemas[strings.TrimPrefix(ref.Ref, "#/components/schemas/")]
		}
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		visit(s)
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		for _, sub := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
			walk(sub)
		}
	}
	walk(ref)
}
