package account_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

func TestRecoveryCodes(t *testing.T) {
	codes, hashes := account.NewRecoveryCodes()
	assert.Len(t, codes, account.RecoveryCodeCount)
	seen := map[string]bool{}
	for i, c := range codes {
		assert.Regexp(t, regexp.MustCompile(`^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$`), c)
		assert.Equal(t, hashes[i], account.HashRecoveryCode(c))
		assert.Equal(t, hashes[i], account.HashRecoveryCode(" "+c[:5]+c[6:]+" "), "typed without the dash")
		assert.NotContains(t, hashes[i], c[:5], "stored as a hash")
		assert.False(t, seen[c])
		seen[c] = true
	}
}
