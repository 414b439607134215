package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor errors.
var (
	// ErrOTPRequired: the password was right and the user has 2FA; send a code.
	ErrOTPRequired = errors.New("a two-factor code is required")
	// ErrOTPInvalid covers a wrong code, a code for another time and a code already used.
	ErrOTPInvalid = errors.New("wrong or already used two-factor code")
	// ErrTOTPEnabled: two-factor login is already on (or, to enable, not set up).
	ErrTOTPEnabled = errors.New("two-factor login is already enabled")
)

// TOTP parameters: RFC 6238's defaults, which every authenticator app understands.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// totpSkew accepts the code of one step before or after now, for clocks a little off.
	totpSkew = 1
	// Issuer names us in the authenticator app.
	Issuer = "WatchDog"
)

// NewTOTP makes a fresh secret for username and the otpauth:// URL an app scans.
func NewTOTP(username string) (secret, url string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: username,
		Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("generate totp secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// MatchTOTP finds the time step, within the allowed skew of now, whose code is code,
// and returns it, or ErrOTPInvalid. The caller refuses a step at or before the last
// one accepted, which is what makes a code work once.
func MatchTOTP(secret, code string, now time.Time) (int64, error) {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits.Length() {
		return 0, ErrOTPInvalid
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		at := time.Unix((step+d)*totpPeriod, 0)
		want, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, fmt.Errorf("totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, nil
		}
	}
	return 0, ErrOTPInvalid
}

// RecoveryCodeCount is how many one-time recovery codes 2FA setup hands out.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns fresh recovery codes (shown once) and their hashes (kept).
// Each is 10 characters of a 31-character alphabet, about 49 bits: safe behind the
// login limit.
func NewRecoveryCodes() (codes, hashes []string) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i to misread
	limit := big.NewInt(int64(len(alphabet)))
	for range RecoveryCodeCount {
		b := make([]byte, 10)
		for i := range b {
			n, _ := rand.Int(rand.Reader, limit) // unbiased; crypto/rand never fails on supported platforms
			b[i] = alphabet[n.Int64()]
		}
		code := string(b[:5]) + "-" + string(b[5:])
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes
}

// HashRecoveryCode is how a recovery code is stored and looked up; case and a missing
// dash do not matter, since people type them from paper.
func HashRecoveryCode(code string) string {
	code = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	sum := sha256.Sum256([]byte("recovery:" + code))
	return hex.EncodeToString(sum[:])
}
