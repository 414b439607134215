// Package auth issues and verifies credentials: short-lived signed access tokens
// (JWT, HS256 only), opaque refresh tokens that rotate on use, and the login flow with
// its rate limits.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

// Errors the auth layer reports.
var (
	ErrInvalidToken = errors.New("invalid or expired token")
	ErrRateLimited  = errors.New("too many login attempts")
)

// Token claims' fixed values: a token minted for another service, or by another
// issuer sharing the key, is refused.
const (
	TokenIssuer   = "watchdog"
	TokenAudience = "watchdog-api"
)

// AccessTTL is how long an access token lives. Short, because it cannot be revoked
// before it expires except by the user's token version.
const AccessTTL = 15 * time.Minute

// Claims are an access token's contents.
type Claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
	// Version is the user's token version at issue; a token of an older version is dead.
	Version int `json:"ver"`
}

// Tokens signs and verifies access tokens with one HMAC key.
type Tokens struct {
	key    []byte
	parser *jwt.Parser
	now    func() time.Time
}

// NewTokens returns a signer for the key (at least 32 bytes).
func NewTokens(key []byte) (*Tokens, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("signing key must be at least 32 bytes, got %d", len(key))
	}
	return &Tokens{
		key: key,
		// Pinning the method is what stops alg:none and RS/HS confusion attacks: the
		// header's alg is never trusted to choose how to verify.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(TokenIssuer),
			jwt.WithAudience(TokenAudience),
			jwt.WithLeeway(30*time.Second),
		),
		now: time.Now,
	}, nil
}

// Issue signs an access token for u and says when it expires.
func (t *Tokens) Issue(u account.User) (string, time.Time, error) {
	now := t.now().UTC()
	exp := now.Add(AccessTTL)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    TokenIssuer,
			Audience:  jwt.ClaimStrings{TokenAudience},
			Subject:   strconv.FormatInt(u.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Role:    string(u.Role),
		Version: u.TokenVersion,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return signed, exp, nil
}

// Verify checks a token's signature, algorithm, issuer, audience and expiry, and
// returns its claims and user id.
func (t *Tokens) Verify(token string) (*Claims, int64, error) {
	var claims Claims
	_, err := t.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.key, nil })
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: bad subject", ErrInvalidToken)
	}
	return &claims, id, nil
}

// NewRefreshToken returns a random opaque token and the hash to store for it.
func NewRefreshToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashRefreshToken(token)
}

// HashRefreshToken is how a refresh token is stored: a leaked table holds no usable
// token. A fast hash is enough for 256 random bits; there is nothing to guess.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a random signing key, for when JWT_SECRET is not set.
func NewSecret() (string, error) {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}
