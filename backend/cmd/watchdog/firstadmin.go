package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
)

// firstAdminPasswordFile is the name of the file a generated first password is
// written to, in the data directory.
const firstAdminPasswordFile = "first-admin-password"

// dataDir is where the server keeps its files: the SQLite database's directory, or
// ./data beside a PostgreSQL server (the directory the SQLite default would use).
func dataDir(st *store.Store) string {
	if p := st.SQLitePath(); p != "" {
		return filepath.Dir(p)
	}
	return filepath.Dir(store.DefaultSQLitePath)
}

// ensureAdmin creates the first admin when there are no users. With ADMIN_PASS
// unset its password is generated and written to <data dir>/first-admin-password,
// readable by the server's user alone; the log names the file, never the password.
// Logs are kept, shipped and read by many; a password in them is a password known
// to all of those. For the same reason a file that cannot be written fails the
// start rather than falling back to printing the password.
//
// The file is written in full before the admin exists, under a temporary name, and
// renamed into place only once this replica has created the admin: another replica
// that loses the race, or a failed create, leaves no file naming a password that
// does not work, and an admin never exists whose password is nowhere.
func ensureAdmin(ctx context.Context, cfg config.Config, st *store.Store, svc *auth.Service, log *slog.Logger) error {
	password := cfg.AdminPass
	var staged string
	if password == "" {
		n, err := st.CountUsers(ctx)
		if err != nil {
			return fmt.Errorf("create first admin: %w", err)
		}
		if n > 0 {
			return nil
		}
		password = account.RandomPassword()
		if staged, err = stagePassword(dataDir(st), password); err != nil {
			return fmt.Errorf("create first admin: keep its generated password: %w (set ADMIN_PASS, or make the directory writable)", err)
		}
		defer func() {
			if staged != "" {
				_ = os.Remove(staged)
			}
		}()
	}
	created, _, err := svc.EnsureAdmin(ctx, cfg.AdminUser, password)
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	if !created {
		return nil
	}
	if staged == "" {
		log.Info("first admin created", "username", cfg.AdminUser)
		return nil
	}
	path := filepath.Join(filepath.Dir(staged), firstAdminPasswordFile)
	if err := os.Rename(staged, path); err != nil {
		kept := staged
		staged = "" // the admin exists: this file is the only copy of its password
		return fmt.Errorf("first admin %q created, but its password stayed in %s: %w", cfg.AdminUser, kept, err)
	}
	staged = ""
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	log.Info("first admin created", "username", cfg.AdminUser, "password_file", path)
	return nil
}

// stagePassword writes password to a new file in dir (created 0700 if missing) and
// returns its name. The file is created exclusively with mode 0600, so it is never
// readable by others, not even for a moment, and never an existing file or a
// symbolic link someone placed there.
func stagePassword(dir, password string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "."+firstAdminPasswordFile+"-*") // O_CREATE|O_EXCL, 0600
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(password + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", errors.Join(fmt.Errorf("write %s", f.Name()), err)
	}
	return f.Name(), nil
}
