package account

import (
	"fmt"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/text"
)

// MaxUsername is the longest username, in characters.
const MaxUsername = 128

// usernameChars are the characters a username may have: ASCII letters and digits and
// the punctuation of handles and email addresses. A username names a person in every
// list, audit entry and login form, so it must not be able to pass for another:
// Unicode letters that look alike ("аdmin" with a Cyrillic а) would, and so would
// case ("Admin" beside "admin"), which the store refuses. Display names may be richer;
// login names stay plain, as on most systems that authenticate people.
const usernameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@+"

// UsernameRule says what is wrong with a new username, or "". Every way a user is
// made — the API, the first admin from ADMIN_USER — checks it.
func UsernameRule(name string) string {
	if name == "" {
		return "is required"
	}
	if msg := text.Line(name, MaxUsername); msg != "" {
		return msg
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return !strings.ContainsRune(usernameChars, r) }); i >= 0 {
		return fmt.Sprintf("may have only letters a-z and A-Z, digits and . _ - @ +, not %q", []rune(name[i:])[0])
	}
	return ""
}

// PasswordRule says what is wrong with a new password, or "".
func PasswordRule(password string) string {
	if len(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		return fmt.Sprintf("must be %d to %d bytes", MinPasswordLen, MaxPasswordLen)
	}
	return ""
}

// RoleRule says what is wrong with a role, or "".
func RoleRule(r Role) string {
	if !r.Valid() {
		return "must be one of admin, editor, viewer"
	}
	return ""
}

// UsernameKey is the form of a username that names one account: usernames are
// unique whatever their case, so "Admin" and "admin" are one key (for per-user limits).
func UsernameKey(name string) string { return strings.ToLower(name) }
