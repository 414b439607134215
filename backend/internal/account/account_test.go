package account

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(bcrypt.MinCost)
	hash, err := h.Hash("correct horse")
	require.NoError(t, err)
	assert.NotContains(t, hash, "correct horse")
	u := &User{PasswordHash: hash}
	assert.NoError(t, h.Verify(u, "correct horse"))
	assert.ErrorIs(t, h.Verify(u, "wrong horse"), ErrInvalidCredentials)
	assert.ErrorIs(t, h.Verify(nil, "correct horse"), ErrInvalidCredentials, "unknown user")
}

func TestPasswordLength(t *testing.T) {
	h := NewHasher(bcrypt.MinCost)
	for _, pw := range []string{"", "short", strings.Repeat("x", MaxPasswordLen+1)} {
		_, err := h.Hash(pw)
		assert.Error(t, err, "%d bytes", len(pw))
	}
	_, err := h.Hash(strings.Repeat("x", MaxPasswordLen))
	assert.NoError(t, err)
}

func TestRandomPassword(t *testing.T) {
	a, b := RandomPassword(), RandomPassword()
	assert.Len(t, a, 24)
	assert.NotEqual(t, a, b)
}

func TestUsernameRule(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "alice", ""},
		{"email", "ana.b+ops@example.com", ""},
		{"empty", "", "required"},
		{"bidi override", "\u202eadmin", "U+202E"},
		{"zero-width spaces", "\u200b\u200b", "U+200B"},
		{"bell", "al\aice", "control"},
		{"space", "al ice", "letters"},
		{"cyrillic a", "\u0430dmin", "letters"},
		{"too long", strings.Repeat("a", MaxUsername+1), "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := UsernameRule(tc.in)
			if tc.want == "" {
				assert.Empty(t, got)
			} else {
				assert.Contains(t, got, tc.want)
			}
		})
	}
	assert.Equal(t, UsernameKey("Admin"), UsernameKey("ADMIN"))
}
