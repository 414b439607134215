package target

import (
	"crypto/rand"
	"encoding/base64"
)

// pingTokenBytes is the randomness in a ping token: 192 bits, well past guessing.
const pingTokenBytes = 24

// NewPingToken returns a fresh, unguessable heartbeat ping token (URL-safe).
func NewPingToken() string {
	b := make([]byte, pingTokenBytes)
	// crypto/rand.Read never returns an error on the platforms Go supports.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
