package fingerprint

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
)

// TLS values the parser needs.
const (
	recordTypeHandshake    = 22
	handshakeClientHello   = 1
	recordHeaderLen        = 5
	maxRecordPayload       = 1<<14 + 2048 // a plaintext record is at most 2^14; allow slack
	maxClientHelloLen      = 1 << 16
	extServerName          = 0x0000
	extSupportedGroups     = 0x000a
	extPointFormats        = 0x000b
	extSignatureAlgorithms = 0x000d
	extALPN                = 0x0010
	extSupportedVersions   = 0x002b
	extKeyShare            = 0x0033
)

var errNotHandshake = errors.New("first record is not a TLS handshake")

// readClientHello reads the TLS records that carry the ClientHello, however many
// there are: with post-quantum key shares a hello is near 2 KB and a client may split
// it. raw is every byte read (to be replayed to crypto/tls), msg the handshake message.
func readClientHello(r io.Reader) (raw, msg []byte, err error) {
	header := make([]byte, recordHeaderLen)
	for {
		n, err := io.ReadFull(r, header)
		raw = append(raw, header[:n]...)
		if err != nil {
			return raw, nil, fmt.Errorf("read client hello record: %w", err)
		}
		if header[0] != recordTypeHandshake {
			return raw, nil, fmt.Errorf("%w (type %d)", errNotHandshake, header[0])
		}
		length := int(header[3])<<8 | int(header[4])
		if length == 0 || length > maxRecordPayload {
			return raw, nil, fmt.Errorf("client hello record of %d bytes", length)
		}
		start := len(raw)
		raw = append(raw, make([]byte, length)...)
		if n, err := io.ReadFull(r, raw[start:]); err != nil {
			return raw[:start+n], nil, fmt.Errorf("read client hello record: %w", err)
		}
		msg = append(msg, raw[start:]...)
		if len(msg) < 4 {
			continue
		}
		if msg[0] != handshakeClientHello {
			return raw, nil, fmt.Errorf("first handshake message is type %d, not a client hello", msg[0])
		}
		want := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
		if want > maxClientHelloLen {
			return raw, nil, fmt.Errorf("client hello of %d bytes", want)
		}
		if len(msg) >= want {
			return raw, msg[:want], nil
		}
	}
}

// parseClientHello reads a ClientHello handshake message (its 4-byte header included).
func parseClientHello(msg []byte) (Hello, error) {
	var h Hello
	s := cryptobyte.String(msg)
	var typ uint8
	var body, sessionID, ciphers, compression cryptobyte.String
	if !s.ReadUint8(&typ) || typ != handshakeClientHello || !s.ReadUint24LengthPrefixed(&body) ||
		!body.ReadUint16(&h.Version) || !body.Skip(32) ||
		!body.ReadUint8LengthPrefixed(&sessionID) ||
		!body.ReadUint16LengthPrefixed(&ciphers) ||
		!body.ReadUint8LengthPrefixed(&compression) {
		return Hello{}, errors.New("malformed client hello")
	}
	for !ciphers.Empty() {
		var c uint16
		if !ciphers.ReadUint16(&c) {
			return Hello{}, errors.New("malformed client hello: cipher suites")
		}
		h.CipherSuites = append(h.CipherSuites, c)
	}
	if body.Empty() {
		return h, nil // no extensions: an SSL 3.0 style hello
	}
	var exts cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
		return Hello{}, errors.New("malformed client hello: extensions")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return Hello{}, errors.New("malformed client hello: extension")
		}
		h.Extensions = append(h.Extensions, typ)
		if err := h.readExtension(typ, data); err != nil {
			return Hello{}, fmt.Errorf("malformed client hello: extension %#04x: %w", typ, err)
		}
	}
	return h, nil
}

var errMalformed = errors.New("malformed")

// readExtension fills in what the fingerprints need from one extension; others are
// only counted.
func (h *Hello) readExtension(typ uint16, data cryptobyte.String) error {
	switch typ {
	case extServerName:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) {
			return errMalformed
		}
		for !list.Empty() {
			var nameType uint8
			var name cryptobyte.String
			if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
				return errMalformed
			}
			if nameType == 0 && h.ServerName == "" {
				h.ServerName = string(name)
			}
		}
	case extSupportedGroups:
		return readUint16s(data, &h.Groups, false)
	case extSignatureAlgorithms:
		return readUint16s(data, &h.SignatureAlgorithms, false)
	case extSupportedVersions:
		return readUint16s(data, &h.SupportedVersions, true)
	case extPointFormats:
		var list cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&list) {
			return errMalformed
		}
		h.PointFormats = append(h.PointFormats, list...)
	case extALPN:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) {
			return errMalformed
		}
		for !list.Empty() {
			var proto cryptobyte.String
			if !list.ReadUint8LengthPrefixed(&proto) {
				return errMalformed
			}
			h.ALPN = append(h.ALPN, string(proto))
		}
	case extKeyShare:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) {
			return errMalformed
		}
		for !list.Empty() {
			var group uint16
			var key cryptobyte.String
			if !list.ReadUint16(&group) || !list.ReadUint16LengthPrefixed(&key) {
				return errMalformed
			}
			h.KeyShares = append(h.KeyShares, group)
		}
	}
	return nil
}

// readUint16s reads a list of uint16 with a one-byte (supported_versions) or two-byte
// length prefix.
func readUint16s(data cryptobyte.String, dst *[]uint16, shortPrefix bool) error {
	var list cryptobyte.String
	ok := false
	if shortPrefix {
		ok = data.ReadUint8LengthPrefixed(&list)
	} else {
		ok = data.ReadUint16LengthPrefixed(&list)
	}
	if !ok {
		return errMalformed
	}
	for !list.Empty() {
		var v uint16
		if !list.ReadUint16(&v) {
			return errMalformed
		}
		*dst = append(*dst, v)
	}
	return nil
}

// IsGREASE reports whether v is one of the reserved GREASE values (RFC 8701) a client
// sprinkles into its lists so servers keep tolerating unknown ones: 0x0a0a, 0x1a1a,
// ... 0xfafa.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// withoutGREASE returns vs with the GREASE values left out.
func withoutGREASE(vs []uint16) []uint16 {
	out := make([]uint16, 0, len(vs))
	for _, v := range vs {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}
