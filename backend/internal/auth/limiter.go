package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// limiter is one login limit: burst attempts at once per key (a client address or a
// username), then one per every. Its token buckets are kept in the database
// (store.TakeAttempt), not in this process's memory, so N replicas behind a proxy
// allow the attempts one would, and no bucket is ever forgotten to make room for
// another: only full ones are deleted, by retention.
type limiter struct {
	store  Store
	secret []byte
	scope  string
	every  time.Duration
	burst  int
}

// newLimiter makes a limit over store. scope tells the limits apart in the one
// table they share; secret keys the HMAC that stands in for each key there.
func newLimiter(store Store, secret []byte, scope string, every time.Duration, burst int) *limiter {
	return &limiter{store: store, secret: secret, scope: scope, every: every, burst: burst}
}

// take spends one attempt of key at now. When key's bucket is empty it returns a
// *RateLimitError saying how long until the next attempt is allowed.
func (l *limiter) take(ctx context.Context, key string, now time.Time) error {
	ok, wait, err := l.store.TakeAttempt(ctx, l.bucket(key), now, l.every, l.burst)
	if err != nil {
		return fmt.Errorf("%s login limit: %w", l.scope, err)
	}
	if !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	return nil
}

// bucket names key's bucket: an HMAC of the scope and the key, so the table never
// holds a username or an address, and its rows cannot be matched against a list of
// them without the secret.
func (l *limiter) bucket(key string) string {
	mac := hmac.New(sha256.New, l.secret)
	mac.Write([]byte(l.scope))
	mac.Write([]byte{0})
	mac.Write([]byte(key))
	return hex.EncodeToString(mac.Sum(nil))
}

// limitSecret derives the limiters' HMAC key from the token signing key: every
// replica has the same one (they must, to verify each other's tokens), so they name a
// bucket alike. When JWT_SECRET is unset the signing key is itself kept in the
// database, and then a copy of the database is enough to test guesses against the
// rows; with it set, it is not.
func limitSecret(tokens *Tokens) []byte {
	mac := hmac.New(sha256.New, tokens.key)
	mac.Write([]byte("watchdog login limits"))
	return mac.Sum(nil)
}
