package target

import (
	"maps"
	"slices"
	"strings"
)

// CredentialHeader says whether a header's value is likely a credential
// (Authorization, Cookie, X-Api-Key, X-Auth-Token, anything naming a secret, a
// password or a session). Such values are write-only: API answers and the audit log
// name them without their value, and export writes them as ${ENV} references. It errs
// on the side of hiding: a header wrongly taken for a credential only costs its value
// being shown as set.
func CredentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"authorization", "cookie", "token", "secret", "key", "auth", "password", "session"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// PlainHeaders returns the headers whose values may be shown (never nil).
func PlainHeaders(h map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if !CredentialHeader(k) {
			out[k] = v
		}
	}
	return out
}

// CredentialHeaderNames lists, sorted, the credential headers h sets (never nil).
func CredentialHeaderNames(h map[string]string) []string {
	names := []string{}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if CredentialHeader(k) {
			names = append(names, k)
		}
	}
	return names
}

// MergeHeaders is the header set a partial update leaves: the update's headers replace
// the stored plain ones, while a stored credential header the update leaves out is
// kept (clients are never shown its value, so they cannot send it back). A credential
// header sent with the value "" is removed. Header names match case-insensitively.
func MergeHeaders(stored, update map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range stored {
		if !CredentialHeader(k) || named(update, k) {
			continue
		}
		out[k] = v
	}
	for k, v := range update {
		if v == "" && CredentialHeader(k) {
			continue
		}
		out[k] = v
	}
	return out
}

// named reports whether h holds name, in any case.
func named(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
