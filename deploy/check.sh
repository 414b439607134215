#!/usr/bin/env bash
# Checks the deployment files as far as a machine without a Docker engine allows:
#   - docker-compose.yml: rendered by `docker compose config` (or docker-compose), with
#     and without the monitoring profile, and its shape checked (replicas, start order,
#     health checks, no published API port, every README setting passed to the API,
#     every variable documented in deploy/.env.example);
#   - deploy/monitoring/prometheus.yml: `promtool check config`; the Grafana
#     provisioning files agree with the compose services and mounts;
#   - deploy/Dockerfile: non-root, static build, pinned bases (Go matching go.work), no
#     remote ADD, no secrets baked in; and its build command run with the local Go;
#   - deploy/Caddyfile: proxies to every replica of api:8080; `caddy validate` when
#     caddy is installed;
#   - deploy/helm/watchdog: `helm lint --strict` and `helm template` of every value set in
#     its ci/ directory, each rendered release decoded strictly into the typed
#     Kubernetes objects and cross-checked by deploy/validate, then that module's tests
#     (what each value set must render, what the chart must refuse);
#   - deploy/grafana/watchdog.json: importable, laid out, and every query reading only
#     metrics the server exports (read from backend/internal/metrics);
#   - the server's /metrics: the binary built here serves a scrape that
#     `promtool check metrics` accepts; its `healthcheck` exits 0 while that server is
#     up and non-zero once nothing listens on the port.
# It builds no image and starts no container. The chart and dashboard checks are never
# skipped: without helm (`make deploy-check` installs it) or Go they fail.
#
# Usage: deploy/check.sh            missing tools are skipped, loudly
#        REQUIRE_ALL=1 deploy/check.sh   a skipped check fails the run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

passed=0 failed=0 skipped=0
ok()   { passed=$((passed + 1)); echo "ok      $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL    $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIPPED $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds, FAIL otherwise.
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
# absent DESCRIPTION REGEX FILE: ok when no line matches.
absent() { if grep -Eqi -- "$2" "$3"; then bad "$1"; grep -Eni -- "$2" "$3" | sed 's/^/        /'; else ok "$1"; fi; }

tmp=$(mktemp -d)
serve_pid=""
trap '[ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

have_yaml=0
PY=python3
command -v python3 >/dev/null && python3 -c "import yaml" 2>/dev/null || PY=/usr/bin/python3
if command -v "$PY" >/dev/null && "$PY" -c "import yaml" 2>/dev/null; then have_yaml=1; fi

# --- docker-compose.yml ------------------------------------------------------------------
echo "== docker-compose.yml"
absent "no obsolete top-level version: key" '^version:' docker-compose.yml

compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
fi

if [ ${#compose[@]} -eq 0 ]; then
  skip "compose config: no 'docker compose' nor docker-compose on this machine  <<<<<<<<<<"
else
  echo "        using: $("${compose[@]}" version 2>/dev/null | head -n1)"
  # The example leaves POSTGRES_PASSWORD empty on purpose: config must refuse it...
  if out=$(env -u POSTGRES_PASSWORD "${compose[@]}" -f docker-compose.yml --env-file deploy/.env.example config -q 2>&1); then
    bad "compose refuses to start without POSTGRES_PASSWORD (it accepted an empty one)"
  elif grep -q 'POSTGRES_PASSWORD' <<<"$out"; then
    ok "compose refuses to start without POSTGRES_PASSWORD"
  else
    bad "compose config failed, but not for POSTGRES_PASSWORD:"; sed 's/^/        /' <<<"$out"
  fi
  # ...and accept the file once it is set.
  if POSTGRES_PASSWORD=check-only-not-a-secret "${compose[@]}" -f docker-compose.yml \
      --env-file deploy/.env.example config >"$tmp/rendered.yml" 2>"$tmp/config.err"; then
    ok "compose config accepts the file with deploy/.env.example"
    if [ -s "$tmp/config.err" ]; then sed 's/^/        warning: /' "$tmp/config.err"; fi
  else
    bad "compose config:"; sed 's/^/        /' "$tmp/config.err"
  fi
  if POSTGRES_PASSWORD=check-only-not-a-secret "${compose[@]}" -f docker-compose.yml \
      --env-file deploy/.env.example --profile monitoring config >"$tmp/rendered-monitoring.yml" 2>"$tmp/config.err"; then
    ok "compose --profile monitoring config accepts the file"
  else
    bad "compose --profile monitoring config:"; sed 's/^/        /' "$tmp/config.err"
  fi
fi

# The shape that matters, on the file as written and (when there is one) as the compose
# tool rendered it: both must agree.
if [ "$have_yaml" = 1 ]; then
  for f in docker-compose.yml "$tmp/rendered.yml"; do
    [ -s "$f" ] || continue
    label=$([ "$f" = docker-compose.yml ] && echo "as written" || echo "as rendered")
    if "$PY" - "$f" >"$tmp/shape.out" 2>&1 <<'PY'; then ok "compose shape ($label): $(cat "$tmp/shape.out")"; else bad "compose shape ($label):"; sed 's/^/        /' "$tmp/shape.out"; fi
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
s = doc["services"]
errs = []
def want(cond, msg):
    if not cond: errs.append(msg)
want(set(s) >= {"postgres", "migrate", "api", "proxy"}, "services postgres, migrate, api, proxy")
api, mig, pg, px = s.get("api", {}), s.get("migrate", {}), s.get("postgres", {}), s.get("proxy", {})
want(int(api.get("deploy", {}).get("replicas", 0)) == 2, "api: deploy.replicas 2")
want("ports" not in api, "api: no published port (only the proxy is reachable)")
want(api.get("depends_on", {}).get("migrate", {}).get("condition") == "service_completed_successfully",
     "api waits for migrate: service_completed_successfully")
want(mig.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy",
     "migrate waits for postgres: service_healthy")
want(mig.get("command") in (["migrate"], "migrate"), "migrate runs `migrate`")
want(str(mig.get("restart")) in ("no", "False"), "migrate: restart \"no\"")
want(api.get("image") and api.get("image") == mig.get("image"), "api and migrate run the same image")
want("pg_isready" in str(pg.get("healthcheck", {}).get("test")), "postgres: pg_isready healthcheck")
want(api.get("healthcheck", {}).get("test") == ["CMD", "/watchdog", "healthcheck"],
     'api: healthcheck test ["CMD", "/watchdog", "healthcheck"]')
for name, svc in s.items():
    dep = svc.get("depends_on", {})
    if isinstance(dep, list):
        dep = {d: {} for d in dep}
    if "api" in dep:
        want((dep["api"] or {}).get("condition") == "service_healthy", name + " waits for api: service_healthy")
env = api.get("environment", {})
if isinstance(env, list):
    env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
want(str(env.get("DATABASE_URL", "")).startswith("postgres://"), "api: DATABASE_URL is postgres://")
for k in ("TRUSTED_PROXIES", "JWT_SECRET", "ADMIN_USER", "ADMIN_PASS"):
    want(k in env, "api: sets " + k)
# Every setting of the README's Configuration table reaches the API.
import re
table = open("README.md").read().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
settings = [n for line in table.splitlines() if line.startswith("| `")
            for n in re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1])]
want(len(settings) >= 20, "README: found %d settings in its Configuration table" % len(settings))
missing = [n for n in settings if n not in env]
want(not missing, "api: README settings not passed: " + ", ".join(missing))
want(any(str(p).endswith("8080") or (isinstance(p, dict) and int(p.get("target", 0)) == 8080)
         for p in px.get("ports", [])), "proxy: publishes its :8080")
want(any("Caddyfile" in str(v) for v in px.get("volumes", [])), "proxy: mounts deploy/Caddyfile")
if errs:
    print("\n".join(errs)); sys.exit(1)
print("api x2 without a port, start order postgres > migrate > api (healthy) > proxy, same image, %d README settings passed" % len(settings))
PY
  done
  # The monitoring profile: Prometheus scrapes the api replicas with the metrics token,
  # Grafana is provisioned with it and the dashboard; as written and as rendered.
  for f in docker-compose.yml "$tmp/rendered-monitoring.yml"; do
    [ -s "$f" ] || continue
    label=$([ "$f" = docker-compose.yml ] && echo "as written" || echo "as rendered")
    if "$PY" - "$f" >"$tmp/shape.out" 2>&1 <<'PY'; then ok "compose monitoring profile ($label): $(cat "$tmp/shape.out")"; else bad "compose monitoring profile ($label):"; sed 's/^/        /' "$tmp/shape.out"; fi
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
s = doc["services"]
errs = []
def want(cond, msg):
    if not cond: errs.append(msg)
prom, graf = s.get("prometheus", {}), s.get("grafana", {})
for name, svc in (("prometheus", prom), ("grafana", graf)):
    want(svc.get("profiles") == ["monitoring"], name + ": profiles [monitoring]")
    want(":latest" not in str(svc.get("image")) and ":" in str(svc.get("image")), name + ": image pinned to a version")
def mounts(svc):
    out = {}
    for v in svc.get("volumes", []):
        if isinstance(v, dict):
            out[v.get("target")] = str(v.get("source"))
        else:
            parts = str(v).split(":")
            out[parts[1]] = parts[0]
    return out
pm, gm = mounts(prom), mounts(graf)
want(pm.get("/etc/prometheus/prometheus.yml", "").endswith("deploy/monitoring/prometheus.yml"),
     "prometheus: mounts deploy/monitoring/prometheus.yml at /etc/prometheus/prometheus.yml")
api_nets = set(s.get("api", {}).get("networks", []))
want(set(prom.get("networks", [])) & api_nets, "prometheus: shares a network with the api replicas")
want("edge" not in set(prom.get("networks", [])),
     "prometheus: not on the edge network, whose range is TRUSTED_PROXIES (it could set X-Forwarded-For)")
want(set(graf.get("networks", [])) & set(prom.get("networks", [])), "grafana: shares a network with prometheus")
penv = prom.get("environment", {})
if isinstance(penv, list):
    penv = dict(e.split("=", 1) if "=" in e else (e, None) for e in penv)
want("METRICS_TOKEN" in penv, "prometheus: gets METRICS_TOKEN")
cmd = " ".join(prom.get("command", [])) if isinstance(prom.get("command"), list) else str(prom.get("command"))
cfg = yaml.safe_load(open("deploy/monitoring/prometheus.yml"))
job = cfg["scrape_configs"][0]
cred = job.get("authorization", {}).get("credentials_file", "")
want(cred and cred in cmd and "METRICS_TOKEN" in cmd, "prometheus: writes METRICS_TOKEN to " + (cred or "its credentials_file") + " at start")
want(any(str(t).split(":")[0] == cred.rsplit("/", 1)[0] for t in prom.get("tmpfs", [])),
     "prometheus: the token file is on a tmpfs")
sd = (job.get("dns_sd_configs") or [{}])[0]
want(sd.get("names") == ["api"] and sd.get("type") == "A" and sd.get("port") == 8080,
     "prometheus.yml: DNS service discovery of api, type A, port 8080 (every replica)")
want(gm.get("/etc/grafana/provisioning", "").endswith("deploy/grafana/provisioning"),
     "grafana: mounts deploy/grafana/provisioning at /etc/grafana/provisioning")
ds = yaml.safe_load(open("deploy/grafana/provisioning/datasources/prometheus.yaml"))["datasources"]
want(any(d.get("type") == "prometheus" and d.get("url") == "http://prometheus:9090" and d.get("isDefault") for d in ds),
     "grafana: the default data source is http://prometheus:9090")
prov = yaml.safe_load(open("deploy/grafana/provisioning/dashboards/watchdog.yaml"))["providers"]
folders = [p.get("options", {}).get("path") for p in prov]
want(any(t.rsplit("/", 1)[0] in folders and src.endswith("deploy/grafana/watchdog.json") for t, src in gm.items()),
     "grafana: deploy/grafana/watchdog.json is mounted in the folder a dashboard provider reads")
if errs:
    print("\n".join(errs)); sys.exit(1)
print("prometheus scrapes every api replica with METRICS_TOKEN, grafana provisioned with it and the dashboard")
PY
  done
  # Every ${VAR} the compose file reads is documented in deploy/.env.example.
  missing=$(grep -o '\${[A-Z_][A-Z0-9_]*' docker-compose.yml | sed 's/^\${//' | sort -u | while read -r v; do
    grep -Eq "^#? ?${v}=" deploy/.env.example || echo "$v"; done)
  if [ -z "$missing" ]; then ok "every compose variable is listed in deploy/.env.example"
  else bad "compose variables missing from deploy/.env.example: $missing"; fi
else
  skip "compose shape: python3 with PyYAML not found  <<<<<<<<<<"
fi
# Prometheus loads the monitoring profile's configuration. promtool checks that the
# credentials file exists, so a copy points at a local one (empty, as with no token).
if command -v promtool >/dev/null; then
  : >"$tmp/metrics-token"
  sed "s#credentials_file: .*#credentials_file: $tmp/metrics-token#" deploy/monitoring/prometheus.yml >"$tmp/prometheus.yml"
  if promtool check config "$tmp/prometheus.yml" >"$tmp/promtool.out" 2>&1; then
    ok "promtool check config deploy/monitoring/prometheus.yml"
  else
    bad "promtool check config deploy/monitoring/prometheus.yml:"; sed 's/^/        /' "$tmp/promtool.out"
  fi
else
  skip "promtool check config: promtool not installed (apt-get install prometheus)  <<<<<<<<<<"
fi
absent "deploy/.env.example holds no real-looking secret" '^(POSTGRES_PASSWORD|ADMIN_PASS|JWT_SECRET)=.+' deploy/.env.example

# --- deploy/Dockerfile -----------------------------------------------------------------
echo "== deploy/Dockerfile"
df=deploy/Dockerfile
# The Dockerfile with continuation lines joined, so each instruction is one line.
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$df" >"$tmp/Dockerfile.joined"
dj=$tmp/Dockerfile.joined
check "runs as non-root (last USER is nonroot or 65532)" \
  bash -c "grep -E '^USER ' $dj | tail -n1 | grep -Eq '^USER +(nonroot|65532)(:(nonroot|65532))?\s*$'"
check "static build: CGO_ENABLED=0 on the go build line" grep -Eq 'CGO_ENABLED=0 .*go build' "$dj"
check "trimmed, stripped build (-trimpath -s -w)" bash -c "grep -Eq 'go build .*-trimpath' $dj && grep -Eq 'go build .*-s -w' $dj"
check "runtime base is distroless static, nonroot" grep -Eq 'gcr.io/distroless/static-debian[0-9]+:nonroot' "$dj"
check "exec-form ENTRYPOINT [\"/watchdog\"]" grep -Eq '^ENTRYPOINT \["/watchdog"\]' "$dj"
check "HEALTHCHECK runs the binary's own probe (no shell in distroless)" grep -Eq '^HEALTHCHECK .*CMD \["/watchdog", *"healthcheck"\]' "$dj"
check "the build stamps VERSION and REVISION into the binary" grep -Eq 'go build .*buildinfo\.Version=\$\{VERSION\}.*buildinfo\.Commit=\$\{REVISION\}' "$dj"
check "EXPOSE 8080 (LISTEN_ADDR :8080)" bash -c "grep -Eq '^EXPOSE 8080' $dj && grep -q 'LISTEN_ADDR=:8080' $dj"
check "FRONTEND_DIR points at the dashboard built in its own stage" bash -c "grep -q 'FRONTEND_DIR=/srv/frontend' $dj && grep -Eq '^COPY --from=dashboard /src/frontend/dist/? /srv/frontend/?' $dj && grep -q 'npm ci' $dj"
absent "no remote ADD (ADD http...)" '^ADD +(--[^ ]+ +)*https?://' "$dj"
absent "no secrets baked into the image" '^(ENV|ARG)\b.*(JWT_SECRET|ADMIN_PASS|POSTGRES_PASSWORD|DATABASE_URL)' "$dj"
# Every base image has a version tag (or digest), none is :latest: FROM lines name an
# image or an ARG whose default does.
unpinned=$(awk '
  toupper($1) == "ARG" && $2 ~ /=/ { split($2, kv, "="); arg[kv[1]] = kv[2] }
  toupper($1) == "FROM" {
    img = ""; for (i = 2; i <= NF; i++) if ($i !~ /^--/) { img = $i; break }
    if (img ~ /^\$\{?[A-Za-z_]+\}?$/) { name = img; gsub(/[${}]/, "", name); img = arg[name] }
    if (img == "scratch") next
    if (img == "" || img ~ /:latest$/ || (img !~ /:[^\/]+$/ && img !~ /@sha256:/)) print $0
  }' "$dj")
if [ -z "$unpinned" ]; then ok "every base image is tagged, none :latest"
else bad "unpinned base image:"; sed 's/^/        /' <<<"$unpinned"; fi
gowork=$(awk '$1 == "go" { print $2; exit }' go.work)
goimage=$(grep -Eo 'golang:[0-9][0-9.]*' "$df" | head -n1 | cut -d: -f2)
if [ -n "$gowork" ] && [ "$gowork" = "$goimage" ]; then ok "Go image pinned to go.work's Go ($goimage)"
else bad "Go image ${goimage:-unpinned} does not match go.work's go ${gowork:-?} (pin golang:X.Y.Z)"; fi
missing=""
for p in go.work go.work.sum backend/go.mod backend/go.sum backend/apiclient/go.mod backend/apiclient/go.sum backend/cmd/watchdog frontend/package.json frontend/package-lock.json frontend/index.html; do
  [ -e "$p" ] || missing="$missing $p"
done
if [ -z "$missing" ]; then ok "COPY sources exist (go.work, go.work.sum, backend/, frontend/)"
else bad "COPY sources missing:$missing"; fi
# go mod download runs before the sources are copied: every module go.work uses needs
# its go.mod copied by then, or the workspace does not load.
missing=""
for dir in $(awk '/^use *\(/ { inuse = 1; next } inuse && /\)/ { inuse = 0 } inuse { print $1 } /^use [^(]/ { print $2 }' go.work); do
  dir=${dir#./}
  grep -Eq "^COPY (.* )?${dir//./\\.}/go\.mod( |$)" "$df" || missing="$missing $dir/go.mod"
done
if [ -z "$missing" ]; then ok "the Dockerfile copies the go.mod of every module go.work uses before go mod download"
else bad "the Dockerfile does not copy:$missing"; fi
missing=""
for p in .git node_modules .env bin data; do
  grep -Eq "^(\*\*/)?${p//./\\.}$" .dockerignore || missing="$missing $p"
done
if [ -z "$missing" ]; then ok ".dockerignore excludes .git, node_modules, .env, bin, data"
else bad ".dockerignore does not exclude:$missing"; fi
if command -v go >/dev/null; then
  # The Dockerfile's build command, from the repository root (so go.work applies).
  if CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$tmp/watchdog" ./backend/cmd/watchdog 2>"$tmp/build.err"; then
    if "$tmp/watchdog" help 2>&1 | grep -q 'migrate'; then ok "the Dockerfile's go build works here; the binary has serve and migrate"
    else bad "the built binary does not list the migrate command"; fi
  else
    bad "the Dockerfile's go build failed:"; sed 's/^/        /' "$tmp/build.err"
  fi
else
  skip "go build: no Go toolchain  <<<<<<<<<<"
fi

# --- the server's /metrics and `watchdog healthcheck` -----------------------------------
echo "== /metrics, healthcheck"
# The binary just built, on a SQLite file here and a free loopback port. Its own
# healthcheck (what the compose file, the Dockerfile and the chart run) must exit 0
# while it serves, and non-zero once nothing listens on the port. A scrape of it is
# linted by promtool: the names, types, units and help as Prometheus's own tooling
# would. Both run in $tmp with a clean environment, so no ./.env nor exported setting
# of this shell changes what they read.
# wd SETTING=value... -- ARGS...: the built binary, in $tmp, with only those settings.
wd() {
  local settings=()
  while [ "$1" != -- ]; do settings+=("$1"); shift; done
  shift
  (cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" "${settings[@]}" "$tmp/watchdog" "$@")
}
if [ ! -x "$tmp/watchdog" ]; then
  bad "healthcheck and promtool check metrics: no binary (the go build above failed or was skipped)"
else
  port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$tmp/data"
  # exec, so $! is the server itself and the kill below (and the trap) stops it.
  (cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" DATABASE_URL="$tmp/data/watchdog.db" LISTEN_ADDR="127.0.0.1:$port" \
    ADMIN_PASS=check-only-password "$tmp/watchdog" serve) >"$tmp/serve.log" 2>&1 &
  serve_pid=$!
  up=0
  for _ in $(seq 1 150); do
    if wd LISTEN_ADDR="127.0.0.1:$port" -- healthcheck >"$tmp/health.out" 2>&1; then up=1; break; fi
    sleep 0.2
  done
  if [ "$up" = 1 ]; then
    ok "watchdog healthcheck exits 0 while the built server is up"
  else
    bad "watchdog healthcheck never exited 0 against the built server:"; sed 's/^/        /' "$tmp/health.out" "$tmp/serve.log"
  fi
  if ! command -v promtool >/dev/null || ! command -v curl >/dev/null; then
    skip "promtool check metrics: promtool or curl not installed (apt-get install prometheus curl)  <<<<<<<<<<"
  elif ! curl -fsS "http://127.0.0.1:$port/metrics" >"$tmp/scrape.txt" 2>"$tmp/curl.err"; then
    bad "scrape /metrics of the built server:"; sed 's/^/        /' "$tmp/curl.err" "$tmp/serve.log"
  elif promtool check metrics <"$tmp/scrape.txt" >"$tmp/promtool.out" 2>&1; then
    ok "promtool check metrics: a scrape of the built server ($(grep -c '^# TYPE watchdog_' "$tmp/scrape.txt") watchdog metrics)"
  else
    bad "promtool check metrics:"; sed 's/^/        /' "$tmp/promtool.out"
  fi
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
  # The server has stopped: nothing listens on its port now.
  if wd LISTEN_ADDR="127.0.0.1:$port" -- healthcheck >"$tmp/health.out" 2>&1; then
    bad "watchdog healthcheck exited 0 with nothing listening on 127.0.0.1:$port"
  elif [ -s "$tmp/health.out" ]; then
    ok "watchdog healthcheck exits non-zero with nothing listening ($(head -n1 "$tmp/health.out"))"
  else
    bad "watchdog healthcheck exited non-zero with nothing listening, but said nothing"
  fi
fi

# --- deploy/Caddyfile ------------------------------------------------------------------
echo "== deploy/Caddyfile"
cf=deploy/Caddyfile
check "proxies to api:8080 (dynamic A lookup of every replica)" \
  bash -c "grep -Eq '^\s*name +api\s*$' $cf && grep -Eq '^\s*port +8080\s*$' $cf && grep -Eq '^\s*dynamic +a\b' $cf"
check "round-robin load balancing" grep -Eq '^\s*lb_policy +round_robin' "$cf"
check "listens on :8080, the port compose publishes" grep -Eq '^:8080 *\{' "$cf"
absent "does not override X-Forwarded-For (Caddy sets it)" 'header_up +[+-]?X-Forwarded-For' "$cf"
if command -v caddy >/dev/null; then
  ver=$(caddy version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)
  cp "$cf" "$tmp/Caddyfile"
  note=""
  # request_buffers arrived in Caddy 2.7; older ones (Debian 12 has 2.6.2) call it
  # buffer_requests. The image runs 2.11, so only the copy validated here is changed.
  if [ "$(printf '%s\n' "$ver" 2.7.0 | sort -V | head -n1)" != 2.7.0 ]; then
    sed -i -E 's/^(\s*)request_buffers\b.*/\1buffer_requests/' "$tmp/Caddyfile"
    note=" (Caddy $ver: request_buffers read as buffer_requests)"
  fi
  if caddy validate --config "$tmp/Caddyfile" --adapter caddyfile >"$tmp/caddy.out" 2>&1; then
    ok "caddy validate$note"
  else
    bad "caddy validate$note:"; grep -v '"level":"info"' "$tmp/caddy.out" | sed 's/^/        /'
  fi
  check "caddy fmt leaves it unchanged" bash -c "caddy fmt '$cf' | diff -q '$cf' - "
  # The dashboard's own container (service frontend, the image's frontend target).
  ff=deploy/frontend.Caddyfile
  if caddy validate --config "$ff" --adapter caddyfile >"$tmp/caddy-frontend.out" 2>&1; then
    ok "caddy validate deploy/frontend.Caddyfile"
  else
    bad "caddy validate deploy/frontend.Caddyfile:"; grep -v '"level":"info"' "$tmp/caddy-frontend.out" | sed 's/^/        /'
  fi
  check "caddy fmt leaves deploy/frontend.Caddyfile unchanged" bash -c "caddy fmt '$ff' | diff -q '$ff' - "
  check "the dashboard container: a frontend target in the Dockerfile, built and proxied by compose" \
    bash -c "grep -Eq '^FROM .* AS frontend' $dj && grep -Eq '^\s*target: +frontend' docker-compose.yml && grep -Eq 'reverse_proxy +@app +frontend:8080' $cf"
else
  skip "caddy validate: caddy not installed (apt-get install caddy)  <<<<<<<<<<"
fi

# --- deploy/helm/watchdog and deploy/grafana --------------------------------------------
echo "== deploy/helm/watchdog, deploy/grafana"
# The Kubernetes the chart is linted and rendered for: the one deploy/validate's
# k8s.io/api (v0.37) describes. deploy/validate/chart_test.go uses the same.
kube_version=1.37.0
chart=deploy/helm/watchdog
helm=${HELM:-}
if [ -z "$helm" ] && command -v go >/dev/null && [ -x "$(go env GOPATH)/bin/helm" ]; then helm=$(go env GOPATH)/bin/helm; fi
if [ -z "$helm" ]; then helm=$(command -v helm || true); fi
# Absolute, as the tests run from deploy/validate.
if [ -n "$helm" ] && [ -e "$helm" ]; then helm=$(realpath "$helm"); fi
want_helm=${HELM_VERSION:-$(awk '$1 == "HELM_VERSION" { print $3; exit }' Makefile)}
# helm keeps its state here, not in the user's ~/.config/helm and ~/.cache/helm.
export HELM_CACHE_HOME=$tmp/helm/cache HELM_CONFIG_HOME=$tmp/helm/config HELM_DATA_HOME=$tmp/helm/data
if [ -z "$helm" ] || ! command -v go >/dev/null; then
  bad "helm and Go are needed for the chart and dashboard checks: run 'make deploy-check' (it installs helm $want_helm with go install)"
elif [ "$("$helm" version --template '{{.Version}}' 2>/dev/null)" != "$want_helm" ]; then
  bad "$helm is $("$helm" version --template '{{.Version}}' 2>/dev/null || echo '?'), want $want_helm built by the Makefile: rm $helm && make deploy-check"
else
  ok "helm $want_helm ($helm)"
  # deploy/validate is its own module, outside go.work (see its main.go): GOWORK=off.
  if (cd deploy/validate && GOWORK=off go build -o "$tmp/validate" . ) 2>"$tmp/validate.err"; then
    ok "deploy/validate builds"
  else
    bad "deploy/validate does not build:"; sed 's/^/        /' "$tmp/validate.err"
  fi
  unformatted=$(gofmt -l deploy/validate)
  if [ -z "$unformatted" ]; then ok "deploy/validate is gofmt-clean"; else bad "gofmt would change: $unformatted"; fi
  values=("$chart"/ci/*-values.yaml)
  [ -e "${values[0]}" ] || bad "no value sets in $chart/ci/"
  for v in "${values[@]}"; do
    [ -e "$v" ] || continue
    name=$(basename "$v")
    if "$helm" lint "$chart" --strict --quiet --kube-version "$kube_version" -f "$v" >"$tmp/lint.out" 2>&1; then
      ok "helm lint --strict -f ci/$name"
    else
      bad "helm lint --strict -f ci/$name:"; sed 's/^/        /' "$tmp/lint.out"
    fi
    if ! "$helm" template watchdog "$chart" --kube-version "$kube_version" -f "$v" >"$tmp/rendered.yaml" 2>"$tmp/template.err"; then
      bad "helm template -f ci/$name:"; sed 's/^/        /' "$tmp/template.err"
    elif [ ! -x "$tmp/validate" ]; then
      bad "helm template -f ci/$name: not validated (deploy/validate did not build)"
    elif "$tmp/validate" manifests <"$tmp/rendered.yaml" >"$tmp/validate.out" 2>&1; then
      ok "helm template -f ci/$name | validate: $(cat "$tmp/validate.out")"
    else
      bad "helm template -f ci/$name | validate:"; sed 's/^/        /' "$tmp/validate.out"
    fi
  done
  if [ -x "$tmp/validate" ] && "$tmp/validate" dashboard -metrics backend/internal/metrics deploy/grafana/watchdog.json >"$tmp/dash.out" 2>&1; then
    ok "deploy/grafana/watchdog.json: $(cat "$tmp/dash.out")"
  else
    bad "deploy/grafana/watchdog.json:"; sed 's/^/        /' "$tmp/dash.out" 2>/dev/null || true
  fi
  # The value sets' expected output, the values the chart must refuse, and the
  # validator's own tests (each break it must catch).
  if (cd deploy/validate && GOWORK=off HELM="$helm" go vet ./... && GOWORK=off HELM="$helm" go test -count=1 -v ./...) >"$tmp/gotest.out" 2>&1; then
    ok "deploy/validate tests: $(grep -c -- '--- PASS' "$tmp/gotest.out") passed (value sets, refusals, validator and dashboard checks)"
  else
    bad "deploy/validate tests:"; grep -v -e '^=== ' -e '--- PASS' -e '^PASS$' "$tmp/gotest.out" | sed 's/^/        /'
  fi
fi

echo
echo "deploy/check.sh: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ]; then exit 1; fi
if [ "$skipped" -gt 0 ]; then
  echo "*** $skipped check(s) SKIPPED: this machine lacks the tools named above."
  if [ "${REQUIRE_ALL:-}" = 1 ]; then echo "FAIL: REQUIRE_ALL=1 and checks were skipped"; exit 1; fi
fi
