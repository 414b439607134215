# WatchDog's verbs. CI calls these and nothing else.
#   make run     build and start everything on the embedded SQLite database
#   make test    vet, staticcheck, format check, the whole test suite, the API document checks
#   make docs    regenerate the OpenAPI documents and the Go client from the annotations
#   make bench   micro-benchmarks, then the end-to-end harness (numbers, never pass/fail on time)
#   make build   the binary in bin/
#   make lint    vet, gofmt, staticcheck, the OpenAPI linter
#   make vuln    govulncheck

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
BACKEND   := backend
BIN       := bin/watchdog
# Pinned tool versions, installed into GOBIN on first use.
SWAG_VERSION        := v1.16.6
OAPI_CODEGEN_VERSION := v2.8.2
GOTESTSUM_VERSION   := v1.13.0
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.1.4
HELM_VERSION        := v3.22.0
# The ldflags helm's own Makefile sets: its version, and the Kubernetes minor its k8s.io
# libraries speak (v0.37 in helm v3.22). Without them a go-installed helm says v1.20, so
# `helm lint` checks deprecations against 1.20 and `helm template` reports 1.20.
HELM_LDFLAGS := -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37 \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37

export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

.PHONY: help run build test test-go test-frontend docs docs-check lint lint-api deploy-check bench vuln tools frontend-deps frontend-build clean

help:
	@sed -n '2,9p' Makefile

# --- run -------------------------------------------------------------------------

run: build frontend-build
	@echo "Starting WatchDog on http://localhost:8080 (SQLite at ./data/watchdog.db)"
	FRONTEND_DIR=$${FRONTEND_DIR:-frontend/dist} ./$(BIN)

# `watchdog version` and the watchdog_build_info metric name the build; outside a git
# checkout (a source tarball) they say dev and unknown.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILDINFO := github.com/watchdog-monitor/watchdog/backend/internal/buildinfo

build:
	cd $(BACKEND) && CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "-X $(BUILDINFO).Version=$(VERSION) -X $(BUILDINFO).Commit=$(COMMIT)" \
		-o ../$(BIN) ./cmd/watchdog

# --- tools -----------------------------------------------------------------------

$(GOBIN)/swag:
	$(GO) install github.com/swaggo/swag/cmd/swag@$(SWAG_VERSION)
$(GOBIN)/oapi-codegen:
	$(GO) install github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@$(OAPI_CODEGEN_VERSION)
$(GOBIN)/gotestsum:
	$(GO) install gotest.tools/gotestsum@$(GOTESTSUM_VERSION)
$(GOBIN)/staticcheck:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
$(GOBIN)/govulncheck:
	$(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
$(GOBIN)/helm:
	$(GO) install -ldflags '$(HELM_LDFLAGS)' helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

tools: $(GOBIN)/swag $(GOBIN)/oapi-codegen $(GOBIN)/gotestsum $(GOBIN)/staticcheck $(GOBIN)/helm

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
frontend-deps: frontend/node_modules/.package-lock.json

# The dashboard, built to frontend/dist (served by the binary through FRONTEND_DIR).
frontend-build: frontend-deps
	cd frontend && npm run --silent build

# --- docs ------------------------------------------------------------------------

# swag writes Swagger 2.0 from the handlers' annotations; cmd/openapi3 turns it into
# the OpenAPI 3.0 document we publish (docs/openapi.json, and the copy the binary
# embeds); oapi-codegen makes the Go client from that.
docs: $(GOBIN)/swag $(GOBIN)/oapi-codegen frontend-deps
	cd $(BACKEND) && $(GOBIN)/swag init --quiet -g doc.go -d internal/httpapi -o ../docs --outputTypes json,yaml
	cd $(BACKEND) && $(GO) run ./cmd/openapi3 -in ../docs/swagger.json -out ../docs/openapi.json -out internal/apidoc/openapi.json
	cd $(BACKEND) && $(GO) run ./cmd/manifestschema -out ../docs/watchdog.schema.json
	cd $(BACKEND)/apiclient && $(GOBIN)/oapi-codegen -config oapi-codegen.yaml ../../docs/openapi.json
	cd frontend && npm run --silent gen:api

# Fails when the committed documents or client differ from what the code generates.
docs-check: docs
	@if ! git diff --quiet -- docs $(BACKEND)/internal/apidoc $(BACKEND)/apiclient frontend/src/api; then \
		git --no-pager diff --stat -- docs $(BACKEND)/internal/apidoc $(BACKEND)/apiclient frontend/src/api; \
		echo "FAIL: the generated API documents or client are stale: run 'make docs' and commit"; exit 1; \
	fi
	@echo "docs: generated API documents and client are up to date"

# Redocly's recommended rules on the OpenAPI 3 document; Spectral's spectral:oas rules,
# warnings included, on it and on the Swagger 2.0 files; swagger-cli's schema check of
# the Swagger 2.0 files.
lint-api: frontend-deps
	cd frontend && npm run --silent lint:api

# --- test ------------------------------------------------------------------------

# PostgreSQL tests use TEST_DATABASE_URL, else the local server; without one they
# are skipped, loudly, unless REQUIRE_ALL=1 (CI), which turns every skip into a failure.
test: docs-check lint-api deploy-check test-go test-frontend

# The dashboard: generated types current, typecheck, lint, unit tests, the bundle budget,
# and the browser tests (real backend on SQLite, Debian's Chromium, 127.0.0.1 only).
test-frontend: frontend-deps
	cd frontend && npm run --silent check:api
	cd frontend && npm run --silent typecheck
	cd frontend && npm run --silent lint
	cd frontend && npm run --silent test:unit
	cd frontend && npm run --silent size
	cd frontend && npm run --silent test:e2e

# Validates docker-compose.yml, deploy/Dockerfile and deploy/Caddyfile as far as a
# machine without a Docker engine can, and the Helm chart and the Grafana dashboard
# (helm lint, helm template into deploy/validate; see the script).
deploy-check: $(GOBIN)/helm
	HELM=$(GOBIN)/helm HELM_VERSION=$(HELM_VERSION) bash deploy/check.sh

# The server's module and the Go SDK's (backend/apiclient, a module of its own in
# go.work: ./... in backend stops at its go.mod, so it is named too).
GO_PKGS := ./... ./apiclient/...

test-go: $(GOBIN)/gotestsum $(GOBIN)/staticcheck
	cd $(BACKEND) && $(GO) vet $(GO_PKGS)
	cd $(BACKEND) && $(GOBIN)/staticcheck $(GO_PKGS)
	@unformatted=$$(gofmt -l $(BACKEND)); if [ -n "$$unformatted" ]; then echo "FAIL: gofmt would change: $$unformatted"; exit 1; fi
	@mkdir -p bin
	cd $(BACKEND) && $(GOBIN)/gotestsum --format pkgname-and-test-fails --jsonfile ../bin/test.json -- -race -count=1 -timeout 15m $(GO_PKGS)
	@# A skip event with a "Test" is a skipped test; without one, a package with no tests.
	@skipped=$$(grep '"Action":"skip"' bin/test.json | grep -c '"Test":' || true); \
	if [ "$$skipped" != "0" ]; then \
		echo "*** $$skipped tests SKIPPED:"; grep '"Action":"skip"' bin/test.json | grep -o '"Test":"[^"]*"' | sort -u; \
		if [ "$${REQUIRE_ALL:-}" = "1" ]; then echo "FAIL: REQUIRE_ALL=1 and tests were skipped"; exit 1; fi; \
	fi

# --- quality ---------------------------------------------------------------------

lint: $(GOBIN)/staticcheck lint-api
	cd $(BACKEND) && $(GO) vet $(GO_PKGS)
	@unformatted=$$(gofmt -l $(BACKEND)); if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	cd $(BACKEND) && $(GOBIN)/staticcheck $(GO_PKGS)

vuln: $(GOBIN)/govulncheck
	cd $(BACKEND) && $(GOBIN)/govulncheck ./...
	cd $(BACKEND)/apiclient && $(GOBIN)/govulncheck ./...

# Micro-benchmarks, then the end-to-end harness (docs/bench.md): real watchdog
# processes against a local fleet, on SQLite and PostgreSQL at 1000 and 10000 targets,
# PostgreSQL at 100000 (the dashboard's polled endpoints under 1,667 checks/s), the
# mixed fleet of every check type at 100000, single-type runs for the CPU of a tcp, dns
# and http check and of a heartbeat ping (pings at 1,000/s asked), then each database's
# ceiling: about 25 minutes. Without a reachable PostgreSQL it says so loudly and runs
# SQLite only. Override with e.g. make bench BENCH_ARGS="-db postgres -n 5000".
BENCH_ARGS ?= -matrix "sqlite:1000,sqlite:10000,postgres:1000,postgres:10000,postgres:100000@90s,postgres:100000:mixed@90s,postgres:10000:http:pollers=0@40s,postgres:10000:tcp:pollers=0@40s,postgres:10000:dns:pollers=0@40s,postgres:10000:heartbeat:pollers=0:ping-rate=1000@40s,sqlite:max@30s,postgres:max:30000@30s" -duration 60s
bench:
	cd $(BACKEND) && $(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	cd $(BACKEND) && $(GO) run ./cmd/bench $(BENCH_ARGS)

clean:
	rm -rf bin data frontend/node_modules
