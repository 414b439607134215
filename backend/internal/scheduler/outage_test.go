package scheduler_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/probe"
	"github.com/watchdog-monitor/watchdog/backend/internal/scheduler"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// logBuffer collects log lines from any goroutine.
type logBuffer struct{ logtest.Buffer }

// lines are the lines logged at level (ERROR, WARN, INFO).
func (l *logBuffer) lines(level string) []string {
	var out []string
	for line := range strings.SplitSeq(l.String(), "\n") {
		if strings.Contains(line, "level="+level) {
			out = append(out, line)
		}
	}
	return out
}

// smallDisk mounts a tmpfs of the given size for the test and unmounts it after (the
// store on it must be closed first: register it after this). Mounting takes root;
// without it the test is skipped, loudly.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		storetest.Unavailable(t, "a small tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the disk has no room left and returns it.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			break
		}
	}
	// The last partial chunk may have left a few bytes: take them too.
	for {
		if _, err := f.Write(chunk[:512]); err != nil {
			break
		}
	}
	return path
}

// TestFullDiskKeepsResultsAndReportsIt runs SQLite on a real, small filesystem and
// fills it while targets are being checked: nothing is dropped, readiness reports
// that writes fail, the change is logged once each way, and once space returns every
// check that was made is recorded exactly once.
func TestFullDiskKeepsResultsAndReportsIt(t *testing.T) {
	dir := smallDisk(t, "16m")
	ctx := context.Background()
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := store.Open(ctx, filepath.Join(dir, "watchdog.db"), log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	f := newFleet(t)
	var ids []int64
	for i := range 4 {
		ids = append(ids, add(t, s, target.Spec{URL: fmt.Sprintf("%s/slow/%d", f.URL, i), IntervalSeconds: new(2), TimeoutSeconds: new(1)}).ID)
	}
	p := probe.New(probe.Options{Guard: netguard.New(true)})
	defer p.Close()
	sch, err := scheduler.New(s, p, scheduler.Options{Workers: 8, Tick: 100 * time.Millisecond,
		Log: log})
	require.NoError(t, err)
	require.NoError(t, sch.Start())
	stopped := false
	defer func() {
		if !stopped {
			_ = sch.Stop(context.Background())
		}
	}()
	require.Eventually(t, func() bool {
		checks, err := s.ListChecks(ctx, ids[0], nil, 10)
		return err == nil && len(checks) >= 2
	}, 10*time.Second, 50*time.Millisecond, "checks are recorded while there is room")

	// While a check is under way (each takes a second), empty the write-ahead log into
	// the database file, so the next write must grow a file, and take the last byte of
	// the disk: that check's result can only be written after space returns.
	n := len(f.times("/slow/0"))
	require.Eventually(t, func() bool { return len(f.times("/slow/0")) > n }, 10*time.Second, 5*time.Millisecond)
	raw, err := sql.Open("sqlite", "file:"+s.SQLitePath()+"?_pragma=busy_timeout(10000)&_time_format=sqlite")
	require.NoError(t, err)
	_, err = raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	filler := fill(t, dir)
	require.Eventually(t, func() bool { return s.Health().Err() != nil }, 10*time.Second, 20*time.Millisecond,
		"writes failing are noticed")
	assert.Contains(t, s.Health().Err().Error(), "disk full")
	full := map[string]int{}
	for i := range ids {
		full[fmt.Sprintf("/slow/%d", i)] = len(f.times(fmt.Sprintf("/slow/%d", i)))
	}
	time.Sleep(3 * time.Second)
	assert.Error(t, s.Health().Err(), "still failing while the disk is full")
	for path, n := range full {
		assert.LessOrEqual(t, len(f.times(path)), n+1, "%s: no checks are started that could not be written", path)
	}

	require.NoError(t, os.Remove(filler))
	require.Eventually(t, func() bool { return s.Health().Err() == nil }, 15*time.Second, 50*time.Millisecond,
		"writes working again are noticed")
	for i := range ids {
		path := fmt.Sprintf("/slow/%d", i)
		n := len(f.times(path))
		require.Eventually(t, func() bool { return len(f.times(path)) > n }, 10*time.Second, 50*time.Millisecond,
			"%s is checked again", path)
	}
	stopped = true
	require.NoError(t, sch.Stop(ctx))

	for i, id := range ids {
		path := fmt.Sprintf("/slow/%d", i)
		checks, err := s.ListChecks(ctx, id, nil, 1000)
		require.NoError(t, err)
		assert.Equal(t, len(f.times(path)), len(checks), "%s: every check made is recorded, once", path)
	}
	failing, recovered := logs.lines("ERROR"), logs.lines("INFO")
	assert.Len(t, failing, 1, "one line when writes start failing:\n%s", strings.Join(failing, "\n"))
	assert.Len(t, logs.lines("WARN"), 0, "%s", strings.Join(logs.lines("WARN"), "\n"))
	back := 0
	for _, l := range recovered {
		if strings.Contains(l, "database works again") {
			back++
		}
	}
	assert.Equal(t, 1, back, "one line when they recover:\n%s", strings.Join(recovered, "\n"))
	if t.Failed() {
		t.Logf("log:\n%s", logs.String())
	}
}

// TestUnnamedWriteErrorIsTheRows: a write that fails with an error naming neither an
// outage nor a refused row (here a trigger's RAISE, SQLSTATE P0001, for one target's
// checks) while the database takes other writes is that row's fault: it is dropped and
// logged, the other results are written and checking goes on. Kept as an outage, its
// batch would stop this replica checking for good.
func TestUnnamedWriteErrorIsTheRows(t *testing.T) {
	ctx := context.Background()
	var logs logBuffer
	s := storetest.Open(t, storetest.PostgresURL(t))
	f := newFleet(t)
	bad := add(t, s, target.Spec{URL: f.URL + "/bad", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
	good := add(t, s, target.Spec{URL: f.URL + "/good", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
	storetest.Exec(t, s, `CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.target_id = `+fmt.Sprint(bad.ID)+` THEN RAISE EXCEPTION 'no checks for this one'; END IF; RETURN NEW; END $$`)
	storetest.Exec(t, s, "CREATE TRIGGER refuse_bad BEFORE INSERT ON checks FOR EACH ROW EXECUTE FUNCTION refuse_bad()")
	p := probe.New(probe.Options{Guard: netguard.New(true)})
	defer p.Close()
	sch, err := scheduler.New(s, p, scheduler.Options{Workers: 8, Tick: 100 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	require.NoError(t, sch.Start())
	defer func() { _ = sch.Stop(context.Background()) }()
	require.Eventually(t, func() bool {
		checks, err := s.ListChecks(ctx, good.ID, nil, 10)
		return err == nil && len(checks) >= 3
	}, 20*time.Second, 50*time.Millisecond, "the good target goes on being checked and recorded")
	assert.NoError(t, s.Health().Err(), "the database is not taken for failing")
	assert.NotEmpty(t, f.times("/bad"), "the bad target was checked (it is again when its lease ends)")
	assert.NotEmpty(t, logs.lines("ERROR"), "the dropped result is logged")
	for _, line := range logs.lines("ERROR") {
		assert.Contains(t, line, "dropped a check result", "no outage is reported")
	}
}
