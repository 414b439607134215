package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func noEnv(string) string { return "" }

// TestFlagsBeforeOrAfterTheCommand: a flag means the same before the command as after
// it, and never makes the command serve.
func TestFlagsBeforeOrAfterTheCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after []string
		cmd           string
	}{
		{"a setting before export", []string{"-DATABASE_URL", "x.db", "export"}, []string{"export", "-DATABASE_URL", "x.db"}, "export"},
		{"a setting with = before migrate", []string{"-DATABASE_URL=x.db", "migrate"}, []string{"migrate", "--DATABASE_URL", "x.db"}, "migrate"},
		{"a boolean setting takes its value", []string{"-ALLOW_PRIVATE_TARGETS", "true", "export"}, []string{"export", "-ALLOW_PRIVATE_TARGETS=true"}, "export"},
		{"switches before apply", []string{"--dry-run", "--exit-code", "apply", "-f", "a.yaml"}, []string{"apply", "-f", "a.yaml", "--dry-run", "--exit-code"}, "apply"},
		{"-f and a setting before apply", []string{"-f=a.yaml", "--prune=true", "-LISTEN_ADDR", ":9", "apply"}, []string{"apply", "--prune", "-LISTEN_ADDR=:9", "-f", "a.yaml"}, "apply"},
		{"import's words around flags", []string{"-DATABASE_URL", "x.db", "import", "gatus", "--dry-run", "c.yaml"}, []string{"import", "gatus", "c.yaml", "--dry-run", "-DATABASE_URL", "x.db"}, "import"},
		{"serve when no command is given", []string{"-LISTEN_ADDR", ":9"}, []string{"serve", "-LISTEN_ADDR", ":9"}, "serve"},
		{"healthcheck", []string{"-LISTEN_ADDR", "[::1]:9", "healthcheck"}, []string{"healthcheck", "-LISTEN_ADDR", "[::1]:9"}, "healthcheck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseArgs(tt.before)
			require.NoError(t, err)
			b, err := parseArgs(tt.after)
			require.NoError(t, err)
			assert.Equal(t, tt.cmd, a.cmd.name)
			assert.Equal(t, a.cmd.name, b.cmd.name)
			assert.Equal(t, a.args, b.args)
			assert.Equal(t, []any{a.own.file, a.own.prune, a.own.dryRun, a.own.exitCode}, []any{b.own.file, b.own.prune, b.own.dryRun, b.own.exitCode})
			assert.Equal(t, a.cfg.String(), b.cfg.String())
		})
	}

	t.Run("after --, words only", func(t *testing.T) {
		inv, err := parseArgs([]string{"import", "--dry-run", "--", "gatus", "-odd-name.yaml"})
		require.NoError(t, err)
		assert.Equal(t, []string{"gatus", "-odd-name.yaml"}, inv.args)
		assert.True(t, inv.own.dryRun)
	})
}

// TestExportWithASettingFirstDoesNotServe: `watchdog -LISTEN_ADDR … -DATABASE_URL …
// export` in a cron job once started a server and created an admin.
func TestExportWithASettingFirstDoesNotServe(t *testing.T) {
	t.Parallel()
	url := storetest.SQLiteURL(t)
	st := storetest.Open(t, url)
	// The port is taken: serving would fail to listen on it.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = held.Close() }()

	var out bytes.Buffer
	err = run(context.Background(), []string{"-LISTEN_ADDR", held.Addr().String(), "-DATABASE_URL", url, "-LOG_LEVEL", "warn", "export"}, noEnv, &out)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "version: 1")
	assert.NotContains(t, out.String(), "First admin")
	users, err := st.CountUsers(context.Background())
	require.NoError(t, err)
	assert.Zero(t, users, "no admin was created")
}

// TestUsageErrors: a command line that does not say what to do is one line on
// standard error that points at the help, and exit status 2.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
		help string
	}{
		{"stray argument", []string{"export", "extra"}, `export: unexpected argument "extra"`, "watchdog export --help"},
		{"stray argument after a setting", []string{"-DATABASE_URL", "x.db", "migrate", "x.db"}, `migrate: unexpected argument "x.db"`, "watchdog migrate --help"},
		{"stray argument to apply", []string{"apply", "-f", "a.yaml", "--prune", "/some/other.db"}, `unexpected argument "/some/other.db"`, "watchdog apply --help"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`, "watchdog --help"},
		{"unknown command after a setting", []string{"-LISTEN_ADDR", ":9", "exprot"}, `unknown command "exprot"`, "watchdog --help"},
		{"unknown flag", []string{"apply", "-f", "a.yaml", "--force"}, "apply: unknown flag -force", "watchdog apply --help"},
		{"unknown flag to serve", []string{"-LISTEN_ADDRESS=:9"}, "serve: unknown flag -LISTEN_ADDRESS", "watchdog serve --help"},
		{"unknown flag and its value before the command", []string{"-LISTEN", ":9", "export"}, "unknown flag -LISTEN", "watchdog --help"},
		{"a misspelt setting with its value before a word", []string{"-ADMIN_PAS=hunter2", "foo"}, "unknown flag -ADMIN_PAS", "watchdog --help"},
		{"a misspelt setting with its value after the command", []string{"migrate", "--ADMIN_PAS=hunter2"}, "migrate: unknown flag -ADMIN_PAS", "watchdog migrate --help"},
		{"missing -f", []string{"apply", "--dry-run"}, "apply: -f FILE is required", "watchdog apply --help"},
		{"a setting without its value", []string{"export", "-DATABASE_URL"}, "flag needs an argument: -DATABASE_URL", "watchdog export --help"},
		{"a switch that is neither true nor false", []string{"apply", "-f", "a.yaml", "--prune=maybe"}, "want true or false", "watchdog apply --help"},
		{"a typed setting that does not parse", []string{"-AUDIT_RETENTION", "forever"}, `invalid value "forever" for flag -AUDIT_RETENTION`, "watchdog serve --help"},
		{"import without its file", []string{"import", "gatus"}, "import: want SOURCE FILE-OR-URL", "watchdog import --help"},
		{"help about no such command", []string{"help", "frobnicate"}, `help: unknown command "frobnicate"`, "watchdog --help"},
		{"a setting given as a command", []string{"ADMIN_PASS=hunter2", "serve"}, `unknown command "ADMIN_PASS=…"`, "watchdog --help"},
		{"a setting given as a command, after a setting", []string{"-LISTEN_ADDR", ":9", "ADMIN_PASS=hunter2"}, `unknown command "ADMIN_PASS=…"`, "watchdog --help"},
		{"a setting given as an argument", []string{"export", "ADMIN_PASS=hunter2"}, `export: unexpected argument "ADMIN_PASS=…"`, "watchdog export --help"},
		{"a setting given as an argument after --", []string{"migrate", "--", "JWT_SECRET=a=hunter2"}, `migrate: unexpected argument "JWT_SECRET=…"`, "watchdog migrate --help"},
		{"help about a setting", []string{"help", "ADMIN_PASS=hunter2"}, `help: unknown command "ADMIN_PASS=…"`, "watchdog --help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			err := run(context.Background(), tt.args, noEnv, &out)
			require.Error(t, err)
			assert.Equal(t, 2, report(&stderr, "text", err))
			assert.Empty(t, out.String())
			line := stderr.String()
			assert.Equal(t, 1, strings.Count(line, "\n"), "one line: %q", line)
			assert.Contains(t, line, tt.want)
			assert.Contains(t, line, "see '"+tt.help+"'")
			assert.NotContains(t, line, "hunter2", "a flag's value may be a secret")
		})
	}
}

// TestHelp: every way of asking prints the help to standard output, and exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"--help", []string{"--help"}, []string{"usage: watchdog [COMMAND]", "  import ", "  healthcheck ", "  version ", "  export "}, nil},
		{"-h", []string{"-h"}, []string{"usage: watchdog [COMMAND]", "  import "}, nil},
		{"help", []string{"help"}, []string{"usage: watchdog [COMMAND]", "  migrate "}, nil},
		{"help apply", []string{"help", "apply"}, []string{"usage: watchdog apply -f FILE", "--exit-code", "--dry-run", "-DATABASE_URL string", "3 the apply failed"}, []string{"-LISTEN_ADDR"}},
		{"apply --help", []string{"apply", "--help"}, []string{"usage: watchdog apply -f FILE", "--prune"}, nil},
		{"--help before apply", []string{"--help", "apply"}, []string{"usage: watchdog apply -f FILE"}, nil},
		{"import -h", []string{"import", "-h"}, []string{"usage: watchdog import SOURCE FILE-OR-URL", "uptime-kuma FILE", "--dry-run"}, nil},
		{"help serve lists every setting, typed", []string{"help", "serve"}, []string{
			"-AUDIT_RETENTION duration (default 365d)", "-CHECK_RETENTION duration (default 7d)", "-SHUTDOWN_TIMEOUT duration (default 20s)",
			"-DEGRADED_WINDOW duration (default 5m)", "-ALLOW_PRIVATE_TARGETS bool (default false)", "-WORKERS int (default 5000)",
			"-DEGRADED_RATIO number (default 0.5)", "-SMTP_PASSWORD string\n",
		}, []string{"8760h", "5m0s"}},
		{"help healthcheck reads LISTEN_ADDR only", []string{"healthcheck", "--help"}, []string{"-LISTEN_ADDR string (default :8080)"}, []string{"DATABASE_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, noEnv, &out)
			require.NoError(t, err)
			assert.Equal(t, 0, exitCode(err))
			for _, want := range tt.want {
				assert.Contains(t, out.String(), want)
			}
			for _, not := range tt.not {
				assert.NotContains(t, out.String(), not)
			}
		})
	}
}

// TestVersion: `watchdog version` and `--version` say which build this is.
func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}, {"-LISTEN_ADDR", ":9", "version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), args, noEnv, &out))
			assert.Regexp(t, `^watchdog \S+ \(commit \S+, `+runtime.Version()+`\)\n$`, out.String())
		})
	}
}

// TestBinaryVersionAndExitCodes builds the binary as `make build` does, with the
// version and commit set at link time, and runs it: main's exit statuses.
func TestBinaryVersionAndExitCodes(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "watchdog")
	const pkg = "github.com/watchdog-monitor/watchdog/backend/internal/buildinfo"
	out, err := exec.Command("go", "build", "-ldflags", "-X "+pkg+".Version=1.2.3 -X "+pkg+".Commit=abc1234", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"version", []string{"version"}, 0, "watchdog 1.2.3 (commit abc1234, " + runtime.Version() + ")\n", ""},
		{"--version", []string{"--version"}, 0, "watchdog 1.2.3 (commit abc1234, " + runtime.Version() + ")\n", ""},
		{"help", []string{"--help"}, 0, "usage: watchdog", ""},
		{"stray argument", []string{"-LISTEN_ADDR", ":9", "export", "extra"}, 2, "", "watchdog: export: unexpected argument \"extra\" (see 'watchdog export --help')\n"},
		{"a failure", []string{"apply", "-f", "missing.yaml"}, 1, "", "watchdog: apply: open missing.yaml: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Dir = t.TempDir()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.code, code, "stderr: %s", stderr.String())
			if tt.stdout == "" {
				assert.Empty(t, stdout.String())
			} else {
				assert.True(t, strings.HasPrefix(stdout.String(), tt.stdout), "stdout: %q", stdout.String())
			}
			if tt.stderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.True(t, strings.HasPrefix(stderr.String(), tt.stderr), "stderr: %q", stderr.String())
			}
		})
	}
}

// TestApplyExitCode: with --exit-code, apply says by its exit status whether the file
// changes (or would change) anything: 0 no, 1 yes, 2 usage error, 3 failure.
func TestApplyExitCode(t *testing.T) {
	t.Parallel()
	db := storetest.SQLiteURL(t)
	example := filepath.Join("..", "..", "..", "docs", "examples", "watchdog.yaml")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\ntargets:\n  - name: x\n    url: ftp://x/\n"), 0o600))
	env := func(k string) string { return map[string]string{"LOG_LEVEL": "warn", "DATABASE_URL": db}[k] }

	// In order: each step sees what the ones before it did.
	steps := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"a dry run that would create", []string{"apply", "--dry-run", "--exit-code", "-f", example}, 1, "target example: created"},
		{"the dry run changed nothing", []string{"--exit-code", "--dry-run", "apply", "-f", example}, 1, "dry run"},
		{"apply without --exit-code", []string{"apply", "-f", example}, 0, "target example: created"},
		{"a dry run that would change nothing", []string{"apply", "--dry-run", "--exit-code", "-f", example}, 0, "target example: unchanged"},
		{"an apply that changes nothing", []string{"apply", "--exit-code", "-f", example}, 0, "unchanged"},
		{"a file that fails, with --exit-code", []string{"apply", "--dry-run", "--exit-code", "-f", bad}, 3, ""},
		{"a file that fails, without", []string{"apply", "--dry-run", "-f", bad}, 1, ""},
		{"a usage error", []string{"apply", "--exit-code"}, 2, ""},
	}
	for _, step := range steps {
		var out, stderr bytes.Buffer
		err := run(context.Background(), step.args, env, &out)
		assert.Equal(t, step.code, report(&stderr, "text", err), "%s: %v", step.name, err)
		assert.Contains(t, out.String(), step.out, step.name)
		if errors.Is(err, errChanged) {
			assert.Empty(t, stderr.String(), "%s: the report says what changed", step.name)
		}
	}
}

// TestHealthcheck: exit 0 only when the server on this machine answers /readyz with
// 200; it opens no database.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	server := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/readyz" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String()
	}
	ready, notReady := server(http.StatusOK), server(http.StatusServiceUnavailable)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	nothing := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, readyPort, err := net.SplitHostPort(ready)
	require.NoError(t, err)
	_, nothingPort, err := net.SplitHostPort(nothing)
	require.NoError(t, err)

	tests := []struct {
		name, addr string
		code       int
		why        string
	}{
		{"ready", ready, 0, ""},
		{"ready, asked on loopback for a listener on every address", ":" + readyPort, 0, ""},
		{"ready on 127.0.0.1 only, for a listener on [::]", "[::]:" + readyPort, 0, ""},
		{"ready on 127.0.0.1 only, for a listener on 0.0.0.0", "0.0.0.0:" + readyPort, 0, ""},
		{"nothing listening on either loopback address", "[::]:" + nothingPort, 1, "healthcheck:"},
		{"not ready", notReady, 1, "503 Service Unavailable"},
		{"nothing listening", nothing, 1, "connection refused"},
		{"no port", "localhost", 1, "LISTEN_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "watchdog.db")
			var out, stderr bytes.Buffer
			err := run(context.Background(), []string{"healthcheck", "-LISTEN_ADDR", tt.addr, "-DATABASE_URL", db}, noEnv, &out)
			assert.Equal(t, tt.code, report(&stderr, "text", err))
			assert.Empty(t, out.String())
			if tt.why != "" {
				assert.Contains(t, stderr.String(), tt.why)
				assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			}
			assert.NoFileExists(t, db, "healthcheck opens no database")
		})
	}
}

func TestReadyzURL(t *testing.T) {
	t.Parallel()
	loopback := []string{"http://127.0.0.1:8080/readyz", "http://[::1]:8080/readyz"}
	tests := map[string][]string{
		":8080":          loopback,
		"0.0.0.0:8080":   loopback,
		"[::]:8080":      loopback,
		"127.0.0.1:9090": {"http://127.0.0.1:9090/readyz"},
		"[::1]:8080":     {"http://[::1]:8080/readyz"},
		"localhost:8080": {"http://localhost:8080/readyz"},
		"10.1.2.3:80":    {"http://10.1.2.3:80/readyz"},
	}
	for addr, want := range tests {
		t.Run(addr, func(t *testing.T) {
			got, err := readyzURLs(addr)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// TestHealthcheckFallsBackToIPv6: a server listening on [::1] only is still found for
// LISTEN_ADDR=[::]:PORT, after 127.0.0.1 refuses.
func TestHealthcheckFallsBackToIPv6(t *testing.T) {
	t.Parallel()
	// A port on [::1] that is free on 127.0.0.1, as the test needs: the first try is
	// refused. Another test may hold the same number on 127.0.0.1, so try a few.
	var ln net.Listener
	var port string
	for range 20 {
		l, err := net.Listen("tcp6", "[::1]:0")
		require.NoError(t, err, "the IPv6 loopback ::1 is needed")
		_, p, err := net.SplitHostPort(l.Addr().String())
		require.NoError(t, err)
		if v4, err := net.Listen("tcp4", "127.0.0.1:"+p); err == nil {
			require.NoError(t, v4.Close())
			ln, port = l, p
			break
		}
		require.NoError(t, l.Close())
	}
	require.NotNil(t, ln, "no port on [::1] was free on 127.0.0.1 in 20 tries")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	assert.NoError(t, healthcheck(context.Background(), "[::]:"+port, healthcheckTimeout))
}

// TestEnvFile: ./.env gives the settings the environment and the flags leave unset,
// and a line it cannot read is an error naming the file and the line, not its text.
func TestEnvFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		file    string // "" writes none
		dir     bool   // a directory named .env, as a Python virtualenv
		env     map[string]string
		args    []string
		workers int
		err     string
	}{
		{name: "no file", workers: 5000},
		{name: "a value from the file", file: "# comment\nWORKERS=7\n", workers: 7},
		{name: "export and quotes", file: "export WORKERS=\"7\"\nJWT_SECRET='" + strings.Repeat("s", 40) + "'\n", workers: 7},
		{name: "a value over several lines", file: "PUBLIC_URL=\"https://a.example\"\nADMIN_PASS=\"two\nlines\"\nWORKERS=7\n", workers: 7},
		{name: "the environment wins", file: "WORKERS=7\n", env: map[string]string{"WORKERS": "8"}, workers: 8},
		{name: "a flag wins", file: "WORKERS=7\n", env: map[string]string{"WORKERS": "8"}, args: []string{"-WORKERS", "9"}, workers: 9},
		{name: "an empty variable hides the file", file: "WORKERS=7\n", env: map[string]string{"WORKERS": ""}, workers: 5000},
		{name: "an unset variable does not", file: "WORKERS=7\n", env: map[string]string{"JWT_SECRET": ""}, workers: 7},
		{name: "a directory named .env is no file", dir: true, workers: 5000},
		{name: "a reference to a variable set earlier in the file", file: "N=7\nWORKERS=${N}\n", workers: 7},
		{name: "a reference to a variable in the environment", file: "WORKERS=\"$N\"\n", env: map[string]string{"N": "7"}, workers: 7},
		{name: "a $ in single quotes is a $", file: "ADMIN_PASS='Pa$SW0RD!x'\nWORKERS=7\n", workers: 7},
		{name: "an escaped $ is a $", file: "ADMIN_PASS=\"Pa\\$SW0RD!x\"\nWORKERS=7\n", workers: 7},
		{name: "a reference to nothing, unquoted", file: "WORKERS=7\nADMIN_PASS=hunter2$SW0RD!x\n", err: ".env:2: ADMIN_PASS refers to $SW0RD, which is set neither"},
		{name: "a reference to nothing, double-quoted", file: "WORKERS=7\n\nADMIN_PASS=\"hunter2${SW0RD}\"\n", err: ".env:3: ADMIN_PASS refers to $SW0RD"},
		{name: "a reference to a variable set later", file: "ADMIN_PASS=hunter2$N\nN=1\n", err: ".env:1: ADMIN_PASS refers to $N"},
		{name: "a line that is no setting", file: "WORKERS=7\nSECRET-VALUE hunter2\n", err: ".env:2: not a NAME=value line"},
		{name: "the last line, without a newline", file: "WORKERS=7\nhunter2", err: ".env:2: not a NAME=value line"},
		{name: "a quote that never ends", file: "WORKERS=7\nADMIN_PASS=\"hunter2\nJWT_SECRET=x\n", err: ".env:2: a quoted value that never ends"},
		{name: "a value the setting cannot take", file: "WORKERS=hunter2\n", err: "WORKERS: not a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), ".env")
			if tt.file != "" {
				require.NoError(t, os.WriteFile(path, []byte(tt.file), 0o600))
			}
			if tt.dir {
				require.NoError(t, os.MkdirAll(filepath.Join(path, "bin"), 0o700))
			}
			inv, err := parseArgs(append([]string{"migrate"}, tt.args...))
			require.NoError(t, err)
			getenv, read, err := withEnvFile(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }, path)
			if err == nil {
				var cfg config.Config
				if cfg, err = inv.settings(getenv); err == nil {
					assert.Equal(t, tt.workers, cfg.Workers)
					assert.Equal(t, tt.file != "", read == path, "says whether it read the file")
				}
			}
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotContains(t, err.Error(), "hunter2", "the file's values are secrets")
		})
	}
}

// TestEnvFileIsLogged: the log says which file was read, and nothing of what is in it.
func TestEnvFileIsLogged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	envFile := filepath.Join(dir, ".env")
	secret := strings.Repeat("k", 40)
	require.NoError(t, os.WriteFile(envFile, []byte("DATABASE_URL="+filepath.Join(dir, "from-env-file.db")+"\nJWT_SECRET="+secret+"\n"), 0o600))
	var out, stderr bytes.Buffer
	err := runWith(context.Background(), []string{"migrate"}, world{lookupenv: lookupOf(noEnv), envFile: envFile, stdout: &out, stderr: &stderr})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "env_file="+envFile)
	assert.NotContains(t, out.String(), secret)
	assert.FileExists(t, filepath.Join(dir, "from-env-file.db"), "DATABASE_URL came from the file")
}

// secretEnv is an environment holding a value for every secret setting.
var secretEnv = map[string]string{
	"ADMIN_PASS":    "s3cr3t-admin",
	"JWT_SECRET":    "jwt-s3cr3t-0123456789abcdef0123456789abcdef",
	"SMTP_PASSWORD": "smtp-s3cr3t",
	"METRICS_TOKEN": "metrics-s3cr3t",
	"DATABASE_URL":  "postgres://u:dbpw-s3cr3t@h/x",
}

// envWith is secretEnv and two plain settings, so a help text that took its defaults
// from the environment shows.
func envWith(name string) string {
	switch name {
	case "WORKERS":
		return "4321"
	case "LISTEN_ADDR":
		return ":39999"
	}
	return secretEnv[name]
}

// envLeaks lists the values of secretEnv that occur in out.
func envLeaks(out string) []string {
	var leaks []string
	for name, value := range secretEnv {
		if strings.Contains(out, value) {
			leaks = append(leaks, name)
		}
	}
	if strings.Contains(out, "dbpw") {
		leaks = append(leaks, "DATABASE_URL password")
	}
	return leaks
}

// helpAndUsageCases are the command lines that print help or a usage error: none of
// them may print a value from the environment. Flags once took the environment's
// value as their default, so a typo printed every secret as `(default "…")`.
var helpAndUsageCases = []struct {
	name string
	args []string
}{
	{"a mistyped setting", []string{"migrate", "-WORKRES", "5"}},
	{"a mistyped setting before the command", []string{"-WORKRES", "5", "migrate"}},
	{"an unknown flag to serve", []string{"-bogus"}},
	{"an unknown command", []string{"frobnicate"}},
	{"-h", []string{"-h"}},
	{"--help", []string{"--help"}},
	{"help", []string{"help"}},
	{"help serve", []string{"help", "serve"}},
	{"help migrate", []string{"help", "migrate"}},
	{"help healthcheck", []string{"help", "healthcheck"}},
	{"serve --help", []string{"serve", "--help"}},
	{"migrate --help", []string{"migrate", "--help"}},
	{"apply --help", []string{"apply", "--help"}},
	{"import --help", []string{"import", "--help"}},
	{"export -h", []string{"export", "-h"}},
	{"healthcheck --help", []string{"healthcheck", "--help"}},
}

// TestHelpAndUsageNeverShowTheEnvironment: help and usage errors show defaults from
// config.Default() only, never a value from the environment, in text or JSON logs.
func TestHelpAndUsageNeverShowTheEnvironment(t *testing.T) {
	t.Parallel()
	getenv := envWith
	for _, tt := range helpAndUsageCases {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			err := run(context.Background(), tt.args, getenv, &out)
			report(&stderr, "json", err)
			report(&stderr, "text", err)
			assert.Empty(t, envLeaks(out.String()+stderr.String()), "%s%s", out.String(), stderr.String())
		})
	}

	t.Run("help serve shows the defaults of config.Default()", func(t *testing.T) {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"help", "serve"}, getenv, &out))
		d := config.Default()
		assert.Contains(t, out.String(), "-LISTEN_ADDR string (default "+d.ListenAddr+")")
		assert.Contains(t, out.String(), "-WORKERS int (default "+strconv.Itoa(d.Workers)+")")
		assert.NotContains(t, out.String(), ":39999")
		assert.NotContains(t, out.String(), "4321")
	})
}

// TestBinaryHelpAndUsageNeverShowTheEnvironment runs the built binary with the secrets
// in its real environment: main reads os.Getenv, and reports a usage error in the
// LOG_FORMAT the environment asks for.
func TestBinaryHelpAndUsageNeverShowTheEnvironment(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "watchdog")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, format := range []string{"text", "json"} {
		for _, tt := range helpAndUsageCases {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				cmd := exec.Command(bin, tt.args...)
				cmd.Dir = t.TempDir()
				cmd.Env = append(os.Environ(), "LOG_FORMAT="+format)
				for name, value := range secretEnv {
					cmd.Env = append(cmd.Env, name+"="+value)
				}
				got, _ := cmd.CombinedOutput()
				assert.NotEmpty(t, got)
				assert.Empty(t, envLeaks(string(got)), "%s", got)
			})
		}
	}
}

// TestUnreachableDatabaseIsNotQuoted: a PostgreSQL error may quote the connection
// string; neither the user-info password nor a password in the query may show.
func TestUnreachableDatabaseIsNotQuoted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, url string }{
		{"connection refused", "postgres://u:pw-s3cr3t@127.0.0.1:1/x?password=pw2-s3cr3t&connect_timeout=5"},
		{"a parameter pgx rejects", "postgres://u:pw-s3cr3t@127.0.0.1:1/x?password=pw2-s3cr3t&sslpassword=pw3-s3cr3t&sslmode=bogus"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []string{"text", "json"} {
				var out, stderr bytes.Buffer
				err := run(context.Background(), []string{"migrate", "-LOG_FORMAT", format}, func(name string) string {
					if name == "DATABASE_URL" {
						return tt.url
					}
					return ""
				}, &out)
				require.Error(t, err)
				report(&stderr, format, err)
				all := out.String() + stderr.String()
				assert.NotEmpty(t, stderr.String())
				for _, secret := range []string{"pw-s3cr3t", "pw2-s3cr3t", "pw3-s3cr3t"} {
					assert.NotContains(t, all, secret)
				}
			}
		})
	}
}
