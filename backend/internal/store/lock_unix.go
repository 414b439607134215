//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrLocked means another server process already runs on the SQLite file.
var ErrLocked = errors.New("another WatchDog server is already using this SQLite database; run several replicas on PostgreSQL instead (set DATABASE_URL=postgres://…)")

// LockServer makes sure only one server process schedules checks from a SQLite file:
// two would both claim the same targets. It holds an exclusive lock on a file next to
// the database until release is called or the process exits. On PostgreSQL, where
// replicas share the work through the claim query, it does nothing. Command-line tools
// (migrate, and later export or apply) do not take it, so they work while the server runs.
func (s *Store) LockServer() (release func(), err error) {
	if s.dialect != SQLite {
		return func() {}, nil
	}
	f, err := os.OpenFile(s.sqlitePath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
