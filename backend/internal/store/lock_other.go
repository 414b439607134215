//go:build !unix

package store

import "errors"

// ErrLocked means another server process already runs on the SQLite file.
var ErrLocked = errors.New("another WatchDog server is already using this SQLite database")

// LockServer is a no-op where advisory file locks are not available; run one server
// per SQLite file there.
func (s *Store) LockServer() (release func(), err error) { return func() {}, nil }
