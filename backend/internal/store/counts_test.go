package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// sameCounts checks the counts the triggers keep against a count of every row.
func sameCounts(t *testing.T, s *store.Store, step string) target.Totals {
	t.Helper()
	ctx := context.Background()
	want, err := s.ScannedTotals(ctx)
	require.NoError(t, err)
	got, err := s.CountedTotals(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got, "after %s", step)
	return got
}

func TestTargetCountsFollowEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sameCounts(t, s, "nothing")
		paused := false
		batch := []target.Target{mustTarget(t, target.Spec{URL: "https://p.example.com", IsActive: &paused})}
		for i := range 5 {
			batch = append(batch, mustTarget(t, target.Spec{URL: fmt.Sprintf("https://t%d.example.com", i)}))
		}
		created, err := s.CreateTargets(ctx, batch)
		require.NoError(t, err)
		got := sameCounts(t, s, "an import")
		assert.Equal(t, target.Totals{Total: 6, Active: 5, Paused: 1, Unknown: 5}, got)
		a, b, c := created[1], created[2], created[3]

		rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
		rec.record(true, a.ID, b.ID) // a new target turns up at its first success
		sameCounts(t, s, "first successes")
		for range a.FailureThreshold {
			rec.record(false, a.ID)
		}
		got = sameCounts(t, s, "a target crossing its failure threshold")
		assert.Equal(t, 1, got.Down)
		rec.record(true, a.ID, b.ID) // one success is below the success threshold: no change
		sameCounts(t, s, "a success below the threshold")

		pause := c
		pause.IsActive = false
		c, err = s.UpdateTarget(ctx, c, pause)
		require.NoError(t, err)
		sameCounts(t, s, "a pause")
		resume := c
		resume.IsActive = true
		_, err = s.UpdateTarget(ctx, c, resume)
		require.NoError(t, err)
		sameCounts(t, s, "a resume")
		require.NoError(t, s.DeleteTarget(ctx, b.ID))
		sameCounts(t, s, "a delete")
		_, err = s.RecordOne(ctx, store.Result{Check: target.Check{TargetID: created[4].ID, CheckedAt: time.Now().UTC(), OK: true, Attempts: 1}})
		require.NoError(t, err)
		sameCounts(t, s, "a check run on request")

		// Any other write path is counted too: the triggers see every row change.
		require.NoError(t, s.ExecSQL(ctx, "UPDATE targets SET last_status = 'down' WHERE id = ?", created[5].ID))
		require.NoError(t, s.ExecSQL(ctx, "UPDATE targets SET last_status = 'down' WHERE id = ?", created[5].ID)) // no move
		require.NoError(t, s.ExecSQL(ctx, "UPDATE targets SET is_active = NOT is_active"))
		sameCounts(t, s, "updates outside the store's methods")
		require.NoError(t, s.ExecSQL(ctx, "DELETE FROM targets WHERE id = ?", created[0].ID))
		got = sameCounts(t, s, "a delete outside the store's methods")

		err = s.Atomically(ctx, func(tx *store.Store) error {
			_, err := tx.CreateTarget(ctx, mustTarget(t, target.Spec{URL: "https://tx.example.com"}))
			require.NoError(t, err)
			inside, err := tx.Totals(ctx)
			require.NoError(t, err)
			assert.Equal(t, got.Total+1, inside.Total, "a transaction reads its own writes")
			return fmt.Errorf("roll back")
		})
		require.Error(t, err)
		got = sameCounts(t, s, "a rolled-back create")

		rows, err := s.CountRows(ctx)
		require.NoError(t, err)
		require.Greater(t, rows, int64(4), "changes append rows")
		require.NoError(t, s.FoldCounts(ctx))
		rows, err = s.CountRows(ctx)
		require.NoError(t, err)
		assert.LessOrEqual(t, rows, int64(4), "one row per state after a fold (states with no target dropped)")
		assert.Equal(t, got, sameCounts(t, s, "a fold"))

		totals, err := s.Totals(ctx)
		require.NoError(t, err)
		assert.Equal(t, got, totals)
		_, total, err := s.ListTargets(ctx, target.ListFilter{Limit: 1, Status: target.FilterPaused})
		require.NoError(t, err)
		assert.Equal(t, got.Paused, total, "a list's total by state comes from the counts")
	})
}

// TestTargetCountsFoldWhileStatesMove folds from two stores (two replicas) while a
// third moves targets between states: no change is lost or counted twice.
func TestTargetCountsFoldWhileStatesMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch := make([]target.Target, 20)
		for i := range batch {
			batch[i] = mustTarget(t, target.Spec{URL: fmt.Sprintf("https://t%d.example.com", i)})
		}
		created, err := s.CreateTargets(ctx, batch)
		require.NoError(t, err)

		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 2 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					assert.NoError(t, s.FoldCounts(ctx))
				}
			})
		}
		for i := range 200 {
			id := created[i%len(created)].ID
			status := []string{"up", "down", "unknown"}[i%3]
			require.NoError(t, s.ExecSQL(ctx, "UPDATE targets SET last_status = ?, is_active = ? WHERE id = ?", status, i%7 != 0, id))
		}
		close(stop)
		wg.Wait()
		sameCounts(t, s, "moves with folds running beside them")
	})
}

func TestTargetCountsMigrationCountsTargetsAlreadyThere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		paused := false
		newTarget(t, s, target.Spec{URL: "https://a.example.com"})
		newTarget(t, s, target.Spec{URL: "https://b.example.com", IsActive: &paused})
		require.NoError(t, s.UndoCountsMigration(ctx))
		newTarget(t, s, target.Spec{URL: "https://c.example.com"}) // made while nothing counted

		applied, err := s.Migrate(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, applied)
		got := sameCounts(t, s, "the migration")
		assert.Equal(t, target.Totals{Total: 3, Active: 2, Paused: 1, Unknown: 2}, got)
		newTarget(t, s, target.Spec{URL: "https://d.example.com"})
		sameCounts(t, s, "a create after the migration")
	})
}
