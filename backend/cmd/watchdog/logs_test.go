package main

// The server's output as an operator's log pipeline sees it: the real binary, its
// standard output and standard error read separately.

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"golang.org/x/crypto/bcrypt"
)

func TestJSONStartUpWithAGeneratedPassword(t *testing.T) {
	bin, err := buildBinary()
	require.NoError(t, err)
	tests := []struct {
		name string
		// dbURL is the database; dataDir where the password file is expected, both
		// given the process's working directory.
		dbURL   func(t *testing.T, wd string) string
		dataDir func(wd string) string
	}{
		{"sqlite: beside the database file",
			func(_ *testing.T, wd string) string { return filepath.Join(wd, "state", "watchdog.db") },
			func(wd string) string { return filepath.Join(wd, "state") }},
		{"postgres: ./data in the working directory",
			func(t *testing.T, _ string) string { return storetest.PostgresURL(t) },
			func(wd string) string { return filepath.Join(wd, "data") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wd := t.TempDir()
			addr := freeAddr(t)
			cmd := exec.Command(bin, "serve")
			cmd.Dir = wd
			cmd.Env = append(os.Environ(), "DATABASE_URL="+tc.dbURL(t, wd), "LISTEN_ADDR="+addr, "ADMIN_PASS=",
				"ADMIN_USER=admin", "LOG_FORMAT=json", "LOG_LEVEL=info", "SHUTDOWN_TIMEOUT=3s", "METRICS_TOKEN=",
				"SMTP_PASSWORD=smtp-secret-for-tests")
			var stdout, stderr logtest.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
				}
				if t.Failed() {
					t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
				}
			})
			base := "http://" + addr
			require.Eventually(t, func() bool {
				res, err := http.Get(base + "/readyz")
				if err != nil {
					return false
				}
				_ = res.Body.Close()
				return res.StatusCode == http.StatusOK
			}, 30*time.Second, 100*time.Millisecond, "the server starts")

			// The password is in a file only its owner reads, and it logs in.
			path := filepath.Join(tc.dataDir(wd), firstAdminPasswordFile)
			info, err := os.Stat(path)
			require.NoError(t, err, "the generated password is written beside the data")
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			password := strings.TrimSpace(string(raw))
			require.Len(t, password, 24)
			anon, err := apiclient.NewClientWithResponses(base + "/api/v1")
			require.NoError(t, err)
			res, err := anon.LoginWithResponse(context.Background(), apiclient.LoginRequest{Username: "admin", Password: password})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), "the file's password logs in: %s", res.Body)

			// Scrapes and probes are not logged at info; a request people make is.
			for _, p := range []string{"/metrics", "/readyz", "/healthz", "/api/v1/healthz"} {
				assert.Equal(t, http.StatusOK, status(t, base+p), p)
			}
			assert.Equal(t, http.StatusOK, status(t, base+"/openapi.json"))

			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			require.NoError(t, cmd.Wait(), "a clean stop")

			out, errOut := []byte(stdout.String()), []byte(stderr.String())
			for name, stream := range map[string][]byte{"stdout": out, "stderr": errOut} {
				assert.NotContains(t, string(stream), password, "%s never shows the password", name)
				assert.NotContains(t, string(stream), "smtp-secret-for-tests", "%s never shows a secret setting", name)
			}
			lines := append(logtest.JSONLines(t, "stdout", out), logtest.JSONLines(t, "stderr", errOut)...)
			byMsg := map[string][]map[string]any{}
			for _, l := range lines {
				msg, _ := l["msg"].(string)
				byMsg[msg] = append(byMsg[msg], l)
			}

			require.Len(t, byMsg["first admin created"], 1)
			created := byMsg["first admin created"][0]
			assert.Equal(t, "admin", created["username"])
			abs, err := filepath.EvalSymlinks(path)
			require.NoError(t, err)
			logged, _ := created["password_file"].(string)
			loggedAbs, err := filepath.EvalSymlinks(logged)
			require.NoError(t, err, "the log names the file by its absolute path: %q", logged)
			assert.Equal(t, abs, loggedAbs)

			require.Len(t, byMsg["starting"], 1)
			cfg, ok := byMsg["starting"][0]["config"].(map[string]any)
			require.True(t, ok, "the configuration is logged as fields: %v", byMsg["starting"][0]["config"])
			assert.Equal(t, addr, cfg["listen_addr"])
			assert.Equal(t, "(set)", cfg["smtp_password"])
			assert.Equal(t, "3s", cfg["shutdown_timeout"])

			require.Len(t, byMsg["shutting down"], 1)
			assert.Equal(t, "3s", byMsg["shutting down"][0]["within"], "a duration is written as text, not nanoseconds")
			require.NotEmpty(t, byMsg["scheduler started"])
			assert.Equal(t, "500ms", byMsg["scheduler started"][0]["tick"])

			var paths []string
			for _, l := range byMsg["request"] {
				assert.Equal(t, "INFO", l["level"])
				paths = append(paths, l["path"].(string))
			}
			assert.Contains(t, paths, "/openapi.json", "a request people make is logged")
			for _, quiet := range []string{"/metrics", "/readyz", "/healthz", "/api/v1/healthz"} {
				assert.NotContains(t, paths, quiet, "%s is logged at debug only", quiet)
			}
		})
	}
}

func TestJSONErrorsWhenStartFails(t *testing.T) {
	bin, err := buildBinary()
	require.NoError(t, err)
	tests := []struct {
		name    string
		args    []string
		env     []string
		wantErr string
		code    int // a usage error exits 2, a failure 1
	}{
		{"a bad setting, LOG_FORMAT in the environment", []string{"serve"}, []string{"LOG_FORMAT=json", "WORKERS=0"}, "WORKERS", 1},
		{"a bad setting, LOG_FORMAT as a flag", []string{"serve", "-LOG_FORMAT", "json"}, []string{"WORKERS=0"}, "WORKERS", 1},
		{"LOG_FORMAT as a flag=value", []string{"serve", "--LOG_FORMAT=json"}, []string{"WORKERS=0"}, "WORKERS", 1},
		{"an unknown command", []string{"frobnicate"}, []string{"LOG_FORMAT=json"}, `unknown command \"frobnicate\"`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, tc.code, exit.ExitCode())
			assert.Empty(t, stdout.String())
			lines := logtest.JSONLines(t, "stderr", stderr.Bytes())
			require.Len(t, lines, 1, "one JSON object: %s", stderr.String())
			assert.Equal(t, "ERROR", lines[0]["level"])
			assert.Contains(t, stderr.String(), tc.wantErr)
		})
	}
}

func TestTextErrorWhenStartFails(t *testing.T) {
	var b bytes.Buffer
	reportError(&b, logFormatOf([]string{"serve", "-LOG_FORMAT", "text"}, func(string) string { return "json" }), assert.AnError)
	assert.Equal(t, "watchdog: "+assert.AnError.Error()+"\n", b.String(), "a flag wins over the environment")
}

func TestLogFormatOf(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"environment", nil, "json", "json"},
		{"nothing set", []string{"serve"}, "", ""},
		{"flag and value", []string{"serve", "-LOG_FORMAT", "json"}, "text", "json"},
		{"double dash and equals", []string{"--LOG_FORMAT=json"}, "", "json"},
		{"the last flag wins", []string{"-LOG_FORMAT=json", "-LOG_FORMAT=text"}, "", "text"},
		{"a flag without a value", []string{"-LOG_FORMAT"}, "json", "json"},
		{"another flag's value", []string{"-ADMIN_USER", "LOG_FORMAT"}, "json", "json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, logFormatOf(tc.args, func(string) string { return tc.env }))
		})
	}
}

func TestDurationsAreText(t *testing.T) {
	var b bytes.Buffer
	log := newLogger(config.Config{LogFormat: "json", LogLevel: "info"}, &b)
	log.Info("waited", "after", 1500*time.Millisecond)
	log.Info("nested", slog.Group("stage", "took", 2*time.Second))
	var first, second map[string]any
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 2)
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.Equal(t, "1.5s", first["after"])
	assert.Equal(t, map[string]any{"took": "2s"}, second["stage"], "inside a group too")
}

// Another replica that created the admin first, or an admin given by ADMIN_PASS,
// leaves no password file behind.
func TestNoPasswordFileUnlessGenerated(t *testing.T) {
	tests := []struct {
		name      string
		adminPass string
		existing  bool
		wantFile  bool
	}{
		{"generated", "", false, true},
		{"given by ADMIN_PASS", "a-given-password", false, false},
		{"an admin exists already", "", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.SQLiteURL(t)
			st, err := store.Open(ctx, dbURL, storetest.Logger(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			_, err = st.Migrate(ctx)
			require.NoError(t, err)
			cfg := config.Default()
			cfg.AdminPass = tc.adminPass
			svc := newAuthService(t, st)
			if tc.existing {
				_, _, err := svc.EnsureAdmin(ctx, "first", "the-first-password")
				require.NoError(t, err)
			}
			require.NoError(t, ensureAdmin(ctx, cfg, st, svc, storetest.Logger(t)))
			entries, err := os.ReadDir(filepath.Dir(dbURL))
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				if strings.Contains(e.Name(), firstAdminPasswordFile) {
					names = append(names, e.Name())
				}
			}
			if tc.wantFile {
				assert.Equal(t, []string{firstAdminPasswordFile}, names, "the file, and no temporary one")
			} else {
				assert.Empty(t, names)
			}
		})
	}
}

func TestPasswordFileThatCannotBeWrittenFailsTheStart(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, nil, 0o600))
	_, err := stagePassword(filepath.Join(notADir, "data"), "secret-password")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-password")
}

func newAuthService(t *testing.T, st *store.Store) *auth.Service {
	t.Helper()
	tokens, err := auth.NewTokens([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	return auth.NewService(st, account.NewHasher(bcrypt.MinCost), tokens)
}

// TestErrorLineFollowsEnvFileLogFormat: with LOG_FORMAT=json in ./.env, the line that
// reports the error ending the run is JSON like the log lines before it.
func TestErrorLineFollowsEnvFileLogFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		args       []string
		want       string
	}{
		{"json from the file", "LOG_FORMAT=json\n", nil, "json"},
		{"a flag wins over the file", "LOG_FORMAT=json\n", []string{"-LOG_FORMAT", "text"}, "text"},
		{"no setting", "WORKERS=3\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			envFile := filepath.Join(dir, ".env")
			require.NoError(t, os.WriteFile(envFile, []byte(tt.file+"DATABASE_URL="+filepath.Join(dir, "w.db")+"\n"), 0o600))
			args := append([]string{"apply", "-f", filepath.Join(dir, "nonexistent.yaml")}, tt.args...)
			format := logFormatOf(args, noEnv)
			var out, stderr bytes.Buffer
			err := runWith(context.Background(), args, world{lookupenv: lookupOf(noEnv), envFile: envFile,
				stdin: strings.NewReader(""), stdout: &out, stderr: &stderr, logFormat: &format})
			require.Error(t, err)
			assert.Equal(t, tt.want, format)
			assert.Equal(t, 1, report(&stderr, format, err))
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			require.NotEmpty(t, lines)
			last := lines[len(lines)-1]
			if tt.want == "json" {
				for _, l := range lines {
					var v map[string]any
					assert.NoError(t, json.Unmarshal([]byte(l), &v), "every line is JSON: %q", l)
				}
				assert.Contains(t, last, `"msg":"watchdog: exiting"`)
			} else {
				assert.True(t, strings.HasPrefix(last, "watchdog: apply"), "plain text: %q", last)
			}
		})
	}
}
