package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Matrix through the client-server API (v3): an m.room.message event PUT into a room
// as the user whose access token is configured (usually a bot account). Any
// homeserver is allowed, since self-hosting is the norm; the outbound guard still
// keeps it off private addresses. The access token is a secret.
func init() {
	register(channelType[matrixConfig, *matrixConfig]{name: "matrix", secrets: []string{"access_token"}, destination: "homeserver_url", send: sendMatrix})
}

type matrixConfig struct {
	// HomeserverURL is the client-server API's base ("https://matrix.example.org").
	HomeserverURL string `json:"homeserver_url"`
	AccessToken   string `json:"access_token"`
	// RoomID is the room's ID ("!abc:example.org"), not an alias: sending takes an ID.
	RoomID string `json:"room_id"`
}

const (
	maxMatrixToken = 1024
	// maxMatrixBody keeps an event well under Matrix's 65,536-byte limit, which
	// counts the plain and the HTML body together with the event's envelope.
	maxMatrixBody = 8000
)

// matrixRoomID is "!" and an opaque part, then ":server" (rooms before version 12);
// version 12 room IDs are "!" and an unpadded URL-safe base64 hash, with no server
// part. The spec caps IDs at 255 bytes. No "/": a proxy that decodes %2F would see
// another path.
var matrixRoomID = regexp.MustCompile(`^![A-Za-z0-9._~-]{1,200}(:[A-Za-z0-9.:\[\]-]{1,254})?$`)

func (c *matrixConfig) check(env Env) error {
	var p problems
	checkURL(&p, "homeserver_url", c.HomeserverURL, urlRule{}, env)
	if u, err := url.Parse(c.HomeserverURL); err == nil && (u.RawQuery != "" || u.ForceQuery) {
		// The API's path is appended to it, which a query would end up after.
		p.add("homeserver_url", "must be the homeserver's base URL, without a query")
	}
	if c.AccessToken == "" {
		p.add("access_token", "is required")
	} else if !isToken(c.AccessToken, maxMatrixToken) {
		p.add("access_token", "must be an access token of at most %d characters without spaces", maxMatrixToken)
	}
	if len(c.RoomID) > 255 {
		p.add("room_id", "must be at most 255 characters")
	} else {
		p.required("room_id", c.RoomID, matrixRoomID, `a room ID ("!abc:example.org", in the room's advanced settings), not an alias`)
	}
	return p.err()
}

type matrixEvent struct {
	MsgType       string `json:"msgtype"`
	Body          string `json:"body"`
	Format        string `json:"format"`
	FormattedBody string `json:"formatted_body"`
	// Mentions, present and empty, says the event mentions nobody: clients that know
	// intentional mentions (Matrix 1.7) then ignore names in the text.
	Mentions struct{} `json:"m.mentions"`
}

func sendMatrix(ctx context.Context, c *matrixConfig, env Env, m Message) error {
	title, body := summary(m, format{text: noMentions, link: asIs})
	plain := title
	if body != "" {
		plain += "\n" + body
	}
	htmlTitle, htmlBody := summary(m, format{text: func(s string) string { return html.EscapeString(noMentions(s)) }, link: matrixLink})
	formatted := "<strong>" + htmlTitle + "</strong>"
	if htmlBody != "" {
		formatted += "<br>" + strings.ReplaceAll(htmlBody, "\n", "<br>")
	}
	ev := matrixEvent{MsgType: "m.text", Body: clip(plain, maxMatrixBody), Format: "org.matrix.custom.html",
		FormattedBody: clipHTML(formatted, plain, maxMatrixBody)}
	endpoint := strings.TrimSuffix(c.HomeserverURL, "/") + "/_matrix/client/v3/rooms/" + matrixEscape(c.RoomID) +
		"/send/m.room.message/" + matrixTxnID(m.DeliveryID)
	return post{provider: "matrix", method: http.MethodPut, url: endpoint,
		header: http.Header{"Authorization": {"Bearer " + c.AccessToken}}, secrets: []string{c.AccessToken}}.sendJSON(ctx, env, ev)
}

// matrixLink is an http(s) URL as an HTML link whose text is the URL, so what it
// points to is what is shown; any other scheme (a tcp:// target) stays text.
func matrixLink(u string) string {
	e := html.EscapeString(u)
	if parsed, err := url.Parse(u); err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") {
		return e
	}
	return `<a href="` + e + `">` + e + `</a>`
}

// clipHTML keeps formatted when it fits; cutting HTML could leave a tag open, so a
// message too long for it goes as the escaped plain text instead.
func clipHTML(formatted, plain string, n int) string {
	if utf8.RuneCountInString(formatted) <= n {
		return formatted
	}
	return strings.ReplaceAll(html.EscapeString(clip(plain, n)), "\n", "<br>")
}

// matrixEscape escapes a room ID for a path segment, ":" included as the spec's
// examples do.
func matrixEscape(id string) string {
	return strings.ReplaceAll(url.PathEscape(id), ":", "%3A")
}

// matrixTxnID is the event's transaction ID. Matrix treats a repeated ID from the same
// access token as the same event, so deriving it from the delivery ID (the same on
// every retry) turns an outbox retry after a lost answer into a no-op instead of a
// second message.
func matrixTxnID(deliveryID string) string {
	if deliveryID == "" {
		// Never the case for messages WatchDog sends; a random ID at least keeps two
		// such messages from being taken for one.
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return "watchdog-" + hex.EncodeToString(b)
	}
	sum := sha256.Sum256([]byte(deliveryID))
	return "watchdog-" + hex.EncodeToString(sum[:16])
}
