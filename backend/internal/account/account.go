// Package account holds the people who may log in: users, their roles, and how their
// passwords are hashed and checked.
package account

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Errors the account layer reports.
var (
	ErrInvalidCredentials = errors.New("invalid username or password")
	ErrNotFound           = errors.New("user not found")
	ErrUsernameTaken      = errors.New("username already taken")
	// ErrRefreshInvalid covers an unknown, expired or revoked refresh token.
	ErrRefreshInvalid = errors.New("refresh token invalid")
	// ErrRefreshReused means a refresh token was presented after it was spent.
	ErrRefreshReused = errors.New("refresh token reused")
	// ErrLastAdmin refuses a change that would leave no admin.
	ErrLastAdmin = errors.New("the last admin cannot be deleted or demoted")
)

// Role is what a user may do.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleEditor, RoleViewer}

// rank orders the roles; an unknown role ranks below every real one.
func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleEditor:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Valid says whether r is one of the roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast says whether r may do what least may.
func (r Role) AtLeast(least Role) bool { return r.rank() >= least.rank() && r.Valid() }

// Lower returns the less powerful of r and o: what a key may do when its creator has
// since been demoted below the key's own role.
func (r Role) Lower(o Role) Role {
	if o.rank() < r.rank() {
		return o
	}
	return r
}

// User is a person who can log in.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         Role
	// TokenVersion goes up whenever every token the user holds must stop working
	// (a password change, a deletion); access tokens carry the version they were
	// issued under.
	TokenVersion int
	// TOTPSecret is set from 2FA setup on; TOTPEnabled once a code confirmed it.
	TOTPSecret  string
	TOTPEnabled bool
	// OTPLockedUntil: after too many wrong codes, login is refused until then.
	OTPLockedUntil *time.Time
	CreatedAt      time.Time
}

// Hasher hashes and checks passwords with bcrypt.
type Hasher struct {
	cost  int
	dummy []byte
}

// DefaultCost is bcrypt's work factor: about a quarter of a second per hash on a small
// server, which makes a stolen hash expensive to attack and login cheap enough.
const DefaultCost = 12

// NewHasher returns a hasher with the given bcrypt cost (DefaultCost in production).
func NewHasher(cost int) *Hasher {
	h := &Hasher{cost: cost}
	// A hash of nothing anyone knows: checked against for unknown usernames, so a
	// wrong username costs as much time as a wrong password and names cannot be probed.
	h.dummy, _ = bcrypt.GenerateFromPassword([]byte(RandomPassword()), cost)
	return h
}

// MaxPasswordLen is bcrypt's limit: it ignores bytes past 72, so longer is refused.
const MaxPasswordLen = 72

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	if len(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		return "", fmt.Errorf("password must be %d to %d bytes", MinPasswordLen, MaxPasswordLen)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// Verify checks password against u. A nil user (unknown username) still costs one
// bcrypt comparison and then fails.
func (h *Hasher) Verify(u *User, password string) error {
	hash := h.dummy
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if u == nil || err != nil {
		return ErrInvalidCredentials
	}
	return nil
}

// RandomPassword returns a password of 24 random URL-safe characters.
func RandomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
