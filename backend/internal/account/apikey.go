package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"time"
)

// API key errors.
var (
	ErrKeyNotFound = errors.New("api key not found")
	ErrKeyInvalid  = errors.New("unknown, deleted or expired api key")
)

// KeyPrefix starts every API key, so a leaked one is recognisable (secret scanners
// can match it) and the server tells keys from access tokens without a lookup.
const KeyPrefix = "wd_"

// keyRandomChars is the key's random part: 43 base-62 characters, 256 bits.
const keyRandomChars = 43

// prefixLen is how much of a key is kept in clear to tell keys apart in a list.
const prefixLen = len(KeyPrefix) + 8

// APIKey is a credential for scripts and SDKs, acting for the user who made it with at
// most that user's role.
type APIKey struct {
	ID         int64
	UserID     int64
	Username   string
	Name       string
	Role       Role
	Prefix     string
	Hash       string
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

// Expired says whether the key has run out at now.
func (k APIKey) Expired(now time.Time) bool { return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) }

// NewKey returns a fresh key, its displayable prefix and the hash to store.
func NewKey() (key, prefix, hash string) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	b.WriteString(KeyPrefix)
	limit := big.NewInt(int64(len(alphabet)))
	for range keyRandomChars {
		n, _ := rand.Int(rand.Reader, limit) // crypto/rand never fails on supported platforms
		b.WriteByte(alphabet[n.Int64()])
	}
	key = b.String()
	return key, key[:prefixLen], HashKey(key)
}

// IsKey says whether a bearer credential is an API key rather than an access token.
func IsKey(credential string) bool { return strings.HasPrefix(credential, KeyPrefix) }

// HashKey is how a key is stored and looked up. A fast hash is enough for 256 random
// bits: there is nothing to guess, and a slow one would cost on every request.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
