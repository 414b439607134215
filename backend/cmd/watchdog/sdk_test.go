package main

// The Go SDK (apiclient.New and its wrapper) and its example program against the
// real server, authenticated with an API key the way a script would be.

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func TestSDKLiveServer(t *testing.T) {
	ctx := context.Background()
	f := newFleet(t)
	srv := startServer(t, map[string]string{"DATABASE_URL": storetest.SQLiteURL(t)})
	made, err := srv.client.CreateAPIKeyWithResponse(ctx, apiclient.APIKeyCreate{Name: "sdk", Role: apiclient.APIKeyCreateRoleEditor})
	require.NoError(t, err)
	require.NotNil(t, made.JSON201, "%d %s", made.StatusCode(), made.Body)
	key := made.JSON201.Key

	t.Run("api key", func(t *testing.T) {
		c, err := apiclient.New(srv.URL, apiclient.WithAPIKey(key))
		require.NoError(t, err)
		// The probes answer the generated client too (it calls them under /api/v1).
		live, err := c.HealthzWithResponse(ctx)
		require.NoError(t, err)
		assert.Equal(t, 200, live.StatusCode())
		ready, err := c.ReadyzWithResponse(ctx)
		require.NoError(t, err)
		assert.Equal(t, 200, ready.StatusCode())
		require.NoError(t, err)
		assert.Equal(t, srv.URL+"/api/v1", c.BaseURL())

		created, err := apiclient.OK(c.CreateTargetWithResponse(ctx, apiclient.TargetCreate{
			Url: f.URL + "/ok/sdk", Name: ptr("sdk-shop"), IntervalSeconds: ptr(60), Tags: &[]string{"sdk"}}))
		require.NoError(t, err)
		id := created.JSON201.Id
		assert.Equal(t, "sdk-shop", created.JSON201.Name)

		now, err := apiclient.OK(c.CheckTargetWithResponse(ctx, id))
		require.NoError(t, err)
		assert.True(t, now.JSON200.Ok, "%+v", *now.JSON200)
		require.NotNil(t, now.JSON200.StatusCode)
		assert.Equal(t, 200, *now.JSON200.StatusCode)
		assert.GreaterOrEqual(t, f.count("/ok/sdk"), 1)

		listed, err := apiclient.OK(c.ListTargetsWithResponse(ctx, &apiclient.ListTargetsParams{Tag: ptr("sdk")}))
		require.NoError(t, err)
		require.Len(t, listed.JSON200.Items, 1)
		assert.Equal(t, id, listed.JSON200.Items[0].Id)

		checks, err := apiclient.OK(c.ListChecksWithResponse(ctx, id, nil))
		require.NoError(t, err)
		require.NotEmpty(t, checks.JSON200.Items)
		assert.Equal(t, now.JSON200.Id, checks.JSON200.Items[0].Id, "newest first")

		stats, err := apiclient.OK(c.GetTargetStatsWithResponse(ctx, id, &apiclient.GetTargetStatsParams{Window: ptr("24h")}))
		require.NoError(t, err)
		assert.Equal(t, "24h", stats.JSON200.Window)
		assert.GreaterOrEqual(t, stats.JSON200.Checks, 1)
		require.NotNil(t, stats.JSON200.UptimeRatio)
		assert.Equal(t, 1.0, *stats.JSON200.UptimeRatio)

		// The server's problems come back as *apiclient.Error with their fields.
		_, err = apiclient.OK(c.CreateTargetWithResponse(ctx, apiclient.TargetCreate{Url: f.URL + "/ok/bad", IntervalSeconds: ptr(100000)}))
		var apiErr *apiclient.Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 422, apiErr.Status)
		assert.Equal(t, "validation", apiErr.Slug())
		_, ok := apiErr.Field("interval_seconds")
		assert.True(t, ok, "%+v", apiErr.Errors)
		assert.NotEmpty(t, apiErr.RequestID)

		_, err = apiclient.OK(c.GetTargetWithResponse(ctx, 99999))
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "not-found", apiErr.Slug())

		// A key cannot mint keys: that takes a person.
		_, err = apiclient.OK(c.CreateAPIKeyWithResponse(ctx, apiclient.APIKeyCreate{Name: "more", Role: apiclient.APIKeyCreateRoleViewer}))
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 403, apiErr.Status)

		wrong, err := apiclient.New(srv.URL, apiclient.WithAPIKey("wd_not-a-key"))
		require.NoError(t, err)
		_, err = apiclient.OK(wrong.ListTargetsWithResponse(ctx, nil))
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 401, apiErr.Status)
	})

	t.Run("login", func(t *testing.T) {
		c, err := apiclient.New(srv.URL+"/api/v1/", apiclient.WithLogin("admin", testAdminPass))
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				me, err := apiclient.OK(c.GetCurrentUserWithResponse(ctx))
				if err == nil && me.JSON200.Username != "admin" {
					err = errors.New("logged in as " + me.JSON200.Username)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))

		bad, err := apiclient.New(srv.URL, apiclient.WithLogin("admin", "wrong password"))
		require.NoError(t, err, "New does not log in")
		_, err = bad.GetCurrentUserWithResponse(ctx)
		var apiErr *apiclient.Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "invalid-credentials", apiErr.Slug())
	})

	t.Run("example program", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "watchdog-example")
		out, err := exec.Command("go", "build", "-o", bin, "../watchdog-example").CombinedOutput()
		require.NoError(t, err, "go build: %s", out)
		example := func(env ...string) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Env = append([]string{"WATCHDOG_URL=" + srv.URL, "WATCHDOG_API_KEY=" + key,
				"WATCHDOG_TARGET_URL=" + f.URL + "/ok/example"}, env...)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}

		first, err := example()
		require.NoError(t, err, first)
		t.Logf("first run:\n%s", first)
		assert.Regexp(t, `target \d+ "sdk-example" `+f.URL+`/ok/example \(created\)`, first)
		assert.Contains(t, first, "check now: up   200")
		assert.Contains(t, first, "latest checks:")
		assert.Contains(t, first, "uptime 24h: 100.00%")

		second, err := example()
		require.NoError(t, err, second)
		assert.Contains(t, second, `"sdk-example" `+f.URL+`/ok/example (found)`)
		assert.GreaterOrEqual(t, strings.Count(second, "up   200"), 3, "this check now, and both in the latest checks:\n%s", second)
		assert.GreaterOrEqual(t, f.count("/ok/example"), 2)

		// A bad target URL comes back as the API's field errors.
		bad, err := example("WATCHDOG_TARGET_NAME=broken", "WATCHDOG_TARGET_URL=ftp://example.com/")
		require.Error(t, err)
		assert.Contains(t, bad, "422 validation")
		assert.Contains(t, bad, "  url: ")

		missing, err := example("WATCHDOG_API_KEY=")
		require.Error(t, err)
		assert.Contains(t, missing, "set WATCHDOG_URL and WATCHDOG_API_KEY")
	})
}
