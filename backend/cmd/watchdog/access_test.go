package main

// The access layer through the real server and the generated Go client: what a team
// does on day one (invite a viewer, make an API key and script with it, turn on
// two-factor login, publish a status page).

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// bearer is a generated client sending credential.
func bearer(t *testing.T, baseURL, credential string) *apiclient.ClientWithResponses {
	t.Helper()
	c, err := apiclient.NewClientWithResponses(baseURL+"/api/v1", apiclient.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+credential)
			return nil
		}))
	require.NoError(t, err)
	return c
}

func TestTeamDayOne(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.SQLiteURL(t)
	f := newFleet(t)
	srv := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	anon, err := apiclient.NewClientWithResponses(srv.URL + "/api/v1")
	require.NoError(t, err)

	// The admin invites a viewer, who logs in.
	user, err := srv.client.CreateUserWithResponse(ctx, apiclient.UserCreate{Username: "vera", Password: "vera's first password", Role: apiclient.UserCreateRoleViewer})
	require.NoError(t, err)
	require.NotNil(t, user.JSON201, "%d %s", user.StatusCode(), user.Body)
	vera, err := anon.LoginWithResponse(ctx, apiclient.LoginRequest{Username: "vera", Password: "vera's first password"})
	require.NoError(t, err)
	require.NotNil(t, vera.JSON200)
	asVera := bearer(t, srv.URL, vera.JSON200.AccessToken)
	denied, err := asVera.CreateTargetWithResponse(ctx, apiclient.TargetCreate{Url: f.URL + "/ok/vera"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, denied.StatusCode())
	require.NotNil(t, denied.ApplicationproblemJSON403, "a typed problem")

	// The admin makes an editor key for a deploy script, and the script uses it.
	key, err := srv.client.CreateAPIKeyWithResponse(ctx, apiclient.APIKeyCreate{Name: "deploy", Role: apiclient.APIKeyCreateRoleEditor})
	require.NoError(t, err)
	require.NotNil(t, key.JSON201, "%d %s", key.StatusCode(), key.Body)
	require.True(t, strings.HasPrefix(key.JSON201.Key, "wd_"))
	script := bearer(t, srv.URL, key.JSON201.Key)
	made, err := script.CreateTargetWithResponse(ctx, apiclient.TargetCreate{Url: f.URL + "/ok/script", Name: ptr("shop-api"), IntervalSeconds: ptr(2)})
	require.NoError(t, err)
	require.NotNil(t, made.JSON201, "%d %s", made.StatusCode(), made.Body)
	listed, err := script.ListTargetsWithResponse(ctx, &apiclient.ListTargetsParams{})
	require.NoError(t, err)
	require.NotNil(t, listed.JSON200)
	assert.Equal(t, 1, listed.JSON200.Total)
	keyOnly, err := script.SetupTOTPWithResponse(ctx)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, keyOnly.StatusCode(), "keys cannot touch 2FA")

	// The admin turns on two-factor login.
	setup, err := srv.client.SetupTOTPWithResponse(ctx)
	require.NoError(t, err)
	require.NotNil(t, setup.JSON200)
	code, err := totp.GenerateCode(setup.JSON200.Secret, time.Now())
	require.NoError(t, err)
	enabled, err := srv.client.EnableTOTPWithResponse(ctx, apiclient.TOTPCode{Code: code})
	require.NoError(t, err)
	require.NotNil(t, enabled.JSON200, "%d %s", enabled.StatusCode(), enabled.Body)
	assert.Len(t, enabled.JSON200.RecoveryCodes, 10)
	noCode, err := anon.LoginWithResponse(ctx, apiclient.LoginRequest{Username: "admin", Password: testAdminPass})
	require.NoError(t, err)
	require.NotNil(t, noCode.ApplicationproblemJSON401)
	assert.True(t, strings.HasSuffix(noCode.ApplicationproblemJSON401.Type, "otp-required"))
	withCode, err := anon.LoginWithResponse(ctx, apiclient.LoginRequest{Username: "admin", Password: testAdminPass, Otp: &enabled.JSON200.RecoveryCodes[0]})
	require.NoError(t, err)
	require.NotNil(t, withCode.JSON200, "a recovery code logs in: %s", withCode.Body)

	// The status page, seen by anyone.
	page, err := srv.client.CreateStatusPageWithResponse(ctx, apiclient.StatusPageCreate{Slug: "acme", Title: "Acme", TargetIds: &[]int{made.JSON201.Id}})
	require.NoError(t, err)
	require.NotNil(t, page.JSON201, "%d %s", page.StatusCode(), page.Body)
	public, err := anon.GetPublicStatusPageWithResponse(ctx, "acme")
	require.NoError(t, err)
	require.NotNil(t, public.JSON200, "%d %s", public.StatusCode(), public.Body)
	assert.Equal(t, "shop-api", public.JSON200.Targets[0].Name)
	assert.NotContains(t, string(public.Body), f.URL)
	badge, err := anon.GetStatusBadgeWithResponse(ctx, made.JSON201.Id)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, badge.StatusCode())
	assert.True(t, strings.HasPrefix(string(badge.Body), "<svg"))

	// The audit log has it all, by whom.
	audit, err := srv.client.ListAuditWithResponse(ctx, &apiclient.ListAuditParams{})
	require.NoError(t, err)
	require.NotNil(t, audit.JSON200)
	var seen []string
	for _, e := range audit.JSON200.Items {
		seen = append(seen, string(e.Action)+" "+string(e.Kind)+" "+e.ObjectName+" by "+e.Actor)
	}
	assert.Subset(t, seen, []string{
		"create user vera by admin", "create api_key deploy by admin",
		"create target shop-api by admin (API key deploy)", "update user admin by admin", "create status_page acme by admin",
	})

	// Stopping flushes the key's last use, batched in memory until then.
	srv.stop()
	st := storetest.Open(t, dbURL)
	keys, err := st.ListAPIKeys(ctx, 0)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NotNil(t, keys[0].LastUsedAt, "written at shutdown")
}
