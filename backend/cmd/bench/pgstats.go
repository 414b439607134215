package main

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"
)

// WriteCounts is what PostgreSQL's row counters (pg_stat_user_tables) moved by over
// a span of the run.
type WriteCounts struct {
	ChecksInserted int64 `json:"checks_inserted"`
	TargetsUpdated int64 `json:"targets_updated"`
	// All sums the inserts, updates and deletes of every table (rollups, counters kept
	// by triggers, incidents, …).
	All int64 `json:"all_tables"`
}

// tableWrites is one reading of every table's counters: inserts, updates, deletes.
type tableWrites map[string][3]int64

// readTableWrites reads the run database's row counters. PostgreSQL counts a
// backend's writes in shared memory only when it flushes them: at the end of a
// transaction at most once a second, within ten seconds of going idle, and when it
// exits. With settle, the reading is repeated until two in a row agree (up to five
// seconds): for readings taken while nothing runs. Without, one reading, which lags
// the busy connections by about a second: two such readings tens of seconds apart
// bound a window well enough.
func readTableWrites(ctx context.Context, dbURL string, settle bool) (tableWrites, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("read write counters: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	read := func() (tableWrites, error) {
		// A transaction's reads of the statistics are a snapshot; each reading is its own.
		if _, err := conn.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			return nil, err
		}
		rows, err := conn.Query(ctx, "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables")
		if err != nil {
			return nil, err
		}
		out := tableWrites{}
		for rows.Next() {
			var name string
			var w [3]int64
			if err := rows.Scan(&name, &w[0], &w[1], &w[2]); err != nil {
				rows.Close()
				return nil, err
			}
			out[name] = w
		}
		return out, rows.Err()
	}
	prev, err := read()
	if err != nil {
		return nil, fmt.Errorf("read write counters: %w", err)
	}
	if !settle {
		return prev, nil
	}
	for range 10 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		cur, err := read()
		if err != nil {
			return nil, fmt.Errorf("read write counters: %w", err)
		}
		if maps.Equal(prev, cur) {
			return cur, nil
		}
		prev = cur
	}
	return prev, nil
}

// writesBetween is how far the counters moved from a to b.
func writesBetween(a, b tableWrites) WriteCounts {
	var w WriteCounts
	w.ChecksInserted = b["checks"][0] - a["checks"][0]
	w.TargetsUpdated = b["targets"][1] - a["targets"][1]
	for name, after := range b {
		before := a[name]
		for k := range after {
			w.All += after[k] - before[k]
		}
	}
	return w
}

// backendCPU is the CPU seconds so far of each of the run database's PostgreSQL
// backends, by pid, read from /proc: the server must run on this machine (it does for
// every run the harness makes on 127.0.0.1). Backends of other databases, and the
// server's own processes (WAL writer, checkpointer), which other work on the server
// shares, are left out.
type backendCPU map[int]float64

// readBackendCPU reads the run database's backends' CPU. ok is false when a backend
// could not be read: the server is elsewhere, or /proc is not Linux's.
func readBackendCPU(ctx context.Context, dbURL string) (cpu backendCPU, ok bool, err error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, false, fmt.Errorf("read backend pids: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	rows, err := conn.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
	if err != nil {
		return nil, false, fmt.Errorf("read backend pids: %w", err)
	}
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("read backend pids: %w", err)
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read backend pids: %w", err)
	}
	cpu = backendCPU{}
	ok = true
	for _, pid := range pids {
		s, err := processCPU(pid)
		if err != nil {
			// Gone between the query and the read, or not on this machine.
			ok = false
			continue
		}
		cpu[pid] = s
	}
	return cpu, ok, nil
}

// backendCPUBetween is the CPU the backends used between two readings: a backend
// that appeared in between used all of its CPU then; one that went away in between
// is lost (the connection pools keep theirs for the run, so few are).
func backendCPUBetween(a, b backendCPU) float64 {
	var sum float64
	for pid, after := range b {
		d := after - a[pid]
		if d < 0 {
			d = after // the pid was reused by a new backend
		}
		sum += d
	}
	return sum
}
