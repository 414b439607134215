package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestShortKeyIsRefused(t *testing.T) {
	_, err := NewTokens([]byte("short"))
	assert.Error(t, err)
}

func TestIssueAndVerify(t *testing.T) {
	tok, err := NewTokens(testKey)
	require.NoError(t, err)
	signed, exp, err := tok.Issue(account.User{ID: 7, Role: account.RoleAdmin, TokenVersion: 3})
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(AccessTTL), exp, 2*time.Second)
	claims, id, err := tok.Verify(signed)
	require.NoError(t, err)
	assert.EqualValues(t, 7, id)
	assert.Equal(t, 3, claims.Version)
	assert.Equal(t, "admin", claims.Role)
}

// forged signs claims with a method and key of the attacker's choosing.
func forged(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return s
}

func TestVerifyRefusesBadTokens(t *testing.T) {
	tok, err := NewTokens(testKey)
	require.NoError(t, err)
	now := time.Now()
	valid := func() jwt.RegisteredClaims {
		return jwt.RegisteredClaims{Issuer: TokenIssuer, Audience: jwt.ClaimStrings{TokenAudience}, Subject: "1",
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}
	}
	good, _, err := tok.Issue(account.User{ID: 1})
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, parts[2])
	// alg:none with no signature, the classic bypass.
	none := forged(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, &Claims{RegisteredClaims: valid()})

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not.a.token"},
		{"alg none", none},
		{"wrong algorithm HS512 with the right key", forged(t, jwt.SigningMethodHS512, testKey, &Claims{RegisteredClaims: valid()})},
		{"wrong algorithm RS256", forged(t, jwt.SigningMethodRS256, rsaKey, &Claims{RegisteredClaims: valid()})},
		{"wrong key", forged(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another-key"), &Claims{RegisteredClaims: valid()})},
		{"expired", forged(t, jwt.SigningMethodHS256, testKey, &Claims{RegisteredClaims: func() jwt.RegisteredClaims {
			c := valid()
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour))
			return c
		}()})},
		{"missing exp", forged(t, jwt.SigningMethodHS256, testKey, &Claims{RegisteredClaims: func() jwt.RegisteredClaims {
			c := valid()
			c.ExpiresAt = nil
			return c
		}()})},
		{"wrong issuer", forged(t, jwt.SigningMethodHS256, testKey, &Claims{RegisteredClaims: func() jwt.RegisteredClaims {
			c := valid()
			c.Issuer = "someone-else"
			return c
		}()})},
		{"wrong audience", forged(t, jwt.SigningMethodHS256, testKey, &Claims{RegisteredClaims: func() jwt.RegisteredClaims {
			c := valid()
			c.Audience = jwt.ClaimStrings{"other-api"}
			return c
		}()})},
		{"tampered signature", tampered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tok.Verify(tc.token)
			assert.ErrorIs(t, err, ErrInvalidToken)
		})
	}
}

func TestRefreshTokensAreRandomAndHashed(t *testing.T) {
	a, ha := NewRefreshToken()
	b, hb := NewRefreshToken()
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, ha, hb)
	assert.Equal(t, ha, HashRefreshToken(a))
	assert.NotContains(t, ha, a)
	assert.GreaterOrEqual(t, len(a), 43, "256 bits")
}

func TestClientKeyGroupsIPv6By64(t *testing.T) {
	assert.Equal(t, "203.0.113.7", clientKey("203.0.113.7"))
	assert.Equal(t, "2001:db8:1:2::/64", clientKey("2001:db8:1:2:aaaa::1"))
	assert.Equal(t, clientKey("2001:db8:1:2::1"), clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff"))
	assert.NotEqual(t, clientKey("2001:db8:1:2::1"), clientKey("2001:db8:1:3::1"))
}
