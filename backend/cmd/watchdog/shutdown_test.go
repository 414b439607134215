package main

import (
	"context"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestShutdownKeepsOneDeadline: SIGTERM with a check-now request and a scheduled check
// both hanging on a target that never answers. The whole stop shares SHUTDOWN_TIMEOUT
// (the request is cut, then the check, each leaving time to the stages after it), so
// the process exits within it, not once per stage; and the check's claim is handed
// back, so its target is due again at once rather than after its lease.
func TestShutdownKeepsOneDeadline(t *testing.T) {
	const timeout = 4 * time.Second
	bin, err := buildBinary()
	require.NoError(t, err)
	f := newFleet(t)
	dbPath := storetest.SQLiteURL(t)
	r := startReplica(t, bin, dbPath, "SHUTDOWN_TIMEOUT="+timeout.String(), "LOG_LEVEL=info")
	c := login(t, r.url)
	ctx := context.Background()
	res, err := c.CreateTargetWithResponse(ctx, apiclient.TargetCreate{Url: f.URL + "/hang/1",
		IntervalSeconds: ptr(120), TimeoutSeconds: ptr(60), Retries: ptr(0)})
	require.NoError(t, err)
	require.NotNil(t, res.JSON201, "%d %s", res.StatusCode(), res.Body)
	require.Eventually(t, func() bool { return f.count("/hang/1") == 1 }, 10*time.Second, 20*time.Millisecond,
		"the scheduled check is under way")

	checkNow := make(chan int, 1)
	go func() {
		res, err := c.CheckTargetWithResponse(ctx, res.JSON201.Id)
		if err != nil {
			checkNow <- 0
			return
		}
		checkNow <- res.StatusCode()
	}()
	require.Eventually(t, func() bool { return f.count("/hang/1") == 2 }, 10*time.Second, 20*time.Millisecond,
		"the check-now request is under way")

	began := time.Now()
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, r.cmd.Wait(), "exit status 0 after SIGTERM")
	took := time.Since(began)
	t.Logf("SHUTDOWN_TIMEOUT=%s: exited %s after SIGTERM", timeout, took.Round(time.Millisecond))
	// Generous: the point is one deadline for all stages, not one per stage (which
	// took twice the timeout and more).
	assert.Less(t, took, timeout+2*time.Second, "the whole stop keeps to SHUTDOWN_TIMEOUT")
	select {
	case code := <-checkNow:
		assert.NotEqual(t, http.StatusOK, code, "the request was cut, not answered after the deadline")
	case <-time.After(5 * time.Second):
		t.Error("the check-now request was left hanging")
	}

	out := r.exitOutput(t)
	last := -1
	for _, step := range []string{`msg="shutting down"`, `msg="http shutdown: cutting requests still running"`,
		`msg="shutdown: cancelling running checks"`, `msg="scheduler stopped"`, `msg=stopped`} {
		i := strings.Index(out, step)
		require.GreaterOrEqual(t, i, 0, "%s logged:\n%s", step, out)
		assert.Greater(t, i, last, "%s comes in order:\n%s", step, out)
		last = i
	}

	s := storetest.Open(t, dbPath)
	checks, err := s.ListChecks(ctx, int64(res.JSON201.Id), nil, 10)
	require.NoError(t, err)
	assert.Empty(t, checks, "the scheduled check, cut short, records nothing")
	claims, err := s.ClaimDue(ctx, "next-start", 10)
	require.NoError(t, err)
	require.Len(t, claims, 1, "handed back: due again at once, not after the lease")
	assert.Equal(t, int64(res.JSON201.Id), claims[0].Target.ID)
}
