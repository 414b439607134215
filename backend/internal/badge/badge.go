// Package badge renders status badges as small standalone SVG images in the look of
// shields.io's "flat" style: a grey label box on the left, a coloured message box on the
// right, corners rounded by 3px, a faint top-to-bottom gradient and white 11px Verdana
// text with a dark shadow one pixel below it.
//
// The badges are served publicly and embedded in other people's READMEs and status pages,
// so Render treats Label and Message as untrusted text: they are cleaned, capped and
// XML-escaped, and the output is always a well-formed document. Rendering is pure and
// deterministic (same badge, same bytes), which lets callers cache and ETag the result.
package badge

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Badge is one rendered badge's text and colour.
type Badge struct {
	Label   string // left, on grey; may be empty, and then only the message box is drawn
	Message string // right, on Color
	Color   string // the message box's fill as "#rrggbb" or "#rgb"; anything else renders Grey
}

// The palette is shields.io's, so our badges sit comfortably next to theirs in a README.
// Each colour is named for what it means here; the shields name is in the comment.
const (
	Green       = "#4c1"    // shields "brightgreen": up, or uptime of at least 99.9%
	Red         = "#e05d44" // shields "red": down
	Grey        = "#9f9f9f" // shields "lightgrey": no data, paused, unknown
	Yellow      = "#dfb317" // shields "yellow"
	YellowGreen = "#a4a61d" // shields "yellowgreen"
	Orange      = "#fe7d37" // shields "orange"
)

const (
	// lightGreen is shields' "green", the step between Green and YellowGreen. Only
	// UptimeColor needs it; callers choosing a colour by meaning use the names above.
	lightGreen = "#97ca00"
	// labelColor is shields' label grey (#555), darker than Grey so the label and a
	// "no data" message stay distinguishable.
	labelColor = "#555"

	padding  = 5  // px each side of the text; rounding the text width up adds up to 2 more
	maxRunes = 64 // per text, so a long target name cannot stretch a badge across a page
)

// UptimeColor maps an uptime ratio (0..1) to a colour. The steps are tight because an
// uptime of 95% is already 36 hours down a month: 99.9% and up is Green, then shields'
// green, YellowGreen from 95%, Yellow from 90%, Orange from 80%, and Red below.
// Thresholds are inclusive and apply to the exact ratio, not to its rounded Percent.
func UptimeColor(ratio float64) string {
	switch {
	case ratio >= .999:
		return Green
	case ratio >= .99:
		return lightGreen
	case ratio >= .95:
		return YellowGreen
	case ratio >= .9:
		return Yellow
	case ratio >= .8:
		return Orange
	default:
		return Red
	}
}

// Percent formats an uptime ratio (0..1) as a percentage with at most two decimals and
// no trailing zeros: 0.99954 → "99.95%", 0.5 → "50%", 1 → "100%".
//
// A ratio below 1 never shows as "100%": 0.99999 rounds to "99.99%" instead, because a
// badge claiming a perfect period that had downtime would be a lie. Ratios are clamped to
// 0..1; callers show "no data" instead of calling Percent without one.
func Percent(ratio float64) string {
	if !(ratio > 0) { // also catches NaN
		return "0%"
	}
	if ratio >= 1 {
		return "100%"
	}
	s := strconv.FormatFloat(ratio*100, 'f', 2, 64)
	if s == "100.00" {
		s = "99.99"
	}
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return s + "%"
}

// Render returns b as a complete SVG document. It cannot fail: whatever the text, the
// result is well-formed XML with the text escaped, so a hostile target name can neither
// break the image nor inject markup into it.
func Render(b Badge) []byte {
	label := clean(b.Label)
	message := clean(b.Message)
	color := b.Color
	if !isHexColor(color) {
		color = Grey
	}

	title := message
	if label != "" {
		title = label + ": " + message
	}

	labelText := textWidth(label)
	messageText := textWidth(message)
	labelBox := 0
	if label != "" {
		labelBox = labelText + 2*padding
	}
	messageBox := messageText + 2*padding
	width := labelBox + messageBox
	fg, shadow := textColors(color)

	var buf bytes.Buffer
	buf.Grow(1024)
	w := func(parts ...string) {
		for _, p := range parts {
			buf.WriteString(p)
		}
	}
	itoa := strconv.Itoa

	// The height is shields' flat 20px; the text baseline sits at 14, its shadow at 15.
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="`, itoa(width), `" height="20" role="img" aria-label="`, escape(title), `">`)
	w(`<title>`, escape(title), `</title>`)
	// The gradient darkens the bottom a little; the clip rounds the corners of both boxes
	// at once, which two separately rounded rects could not do without a seam.
	w(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	w(`<clipPath id="r"><rect width="`, itoa(width), `" height="20" rx="3" fill="#fff"/></clipPath>`)
	w(`<g clip-path="url(#r)">`)
	if labelBox > 0 {
		w(`<rect width="`, itoa(labelBox), `" height="20" fill="`, labelColor, `"/>`)
	}
	w(`<rect x="`, itoa(labelBox), `" width="`, itoa(messageBox), `" height="20" fill="`, color, `"/>`)
	w(`<rect width="`, itoa(width), `" height="20" fill="url(#s)"/>`)
	w(`</g>`)

	// Text is centred in its box. textLength pins each string to its estimated width, so
	// it still fits when the viewer falls back from Verdana to a wider font. The root's
	// role="img" already hides these nodes from screen readers, so the shadow copies are
	// not read twice.
	w(`<g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	text := func(s string, length int, centre float64, fill string, isShadow bool) {
		if s == "" {
			return
		}
		y, opacity := "14", ""
		if isShadow {
			y, opacity = "15", ` fill-opacity=".3"`
		}
		w(`<text x="`, strconv.FormatFloat(centre, 'f', -1, 64), `" y="`, y, `" fill="`, fill, `"`, opacity,
			` textLength="`, itoa(length), `">`, escape(s), `</text>`)
	}
	labelCentre := float64(labelBox) / 2
	messageCentre := float64(labelBox) + float64(messageBox)/2
	text(label, labelText, labelCentre, "#010101", true)
	text(label, labelText, labelCentre, "#fff", false)
	text(message, messageText, messageCentre, shadow, true)
	text(message, messageText, messageCentre, fg, false)
	w(`</g></svg>`)
	return buf.Bytes()
}

// clean makes s safe to put in XML and short enough for a badge: it drops control
// characters (including tabs and newlines, which a one-line badge cannot show) and
// anything else XML 1.0 forbids, turns invalid UTF-8 into U+FFFD, and cuts the result to
// maxRunes, ending with "…" when it had to cut.
func clean(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s { // ranging decodes invalid bytes as U+FFFD, which XML allows
		if unicode.IsControl(r) || !isXMLChar(r) {
			continue
		}
		if n == maxRunes {
			// Replace the last kept rune with the ellipsis so the total stays maxRunes.
			out := b.String()
			_, size := utf8.DecodeLastRuneInString(out)
			return out[:len(out)-size] + "…"
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isXMLChar reports whether r is in XML 1.0's Char production; encoding/xml and browsers
// reject a document containing anything else.
func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= unicode.MaxRune
}

// xmlEscaper escapes the five XML special characters, so escaped text is safe both as
// element content and inside a double- or single-quoted attribute. A Replacer is safe
// for concurrent use and never changes, so sharing one is not shared state.
var xmlEscaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&apos;",
)

func escape(s string) string { return xmlEscaper.Replace(s) }

// isHexColor reports whether c is "#rgb" or "#rrggbb". Color goes into an attribute
// unescaped, so only this narrow form is let through.
func isHexColor(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return false
	}
	for i := 1; i < len(c); i++ {
		if !isHexDigit(c[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(ch byte) bool {
	return '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
}

// textColors picks the message's text and shadow colours: white on dark shields
// colours, dark grey on light custom ones (a yellow like #ff0 would make white text
// unreadable). The threshold is shields' perceived-brightness cut-off, 0.69.
func textColors(hex string) (fg, shadow string) {
	if brightness(hex) > .69 {
		return "#333", "#ccc"
	}
	return "#fff", "#010101"
}

// brightness is the perceived brightness (ITU-R BT.601 weights) of a colour isHexColor
// accepted, from 0 (black) to 1 (white).
func brightness(hex string) float64 {
	digits := hex[1:]
	if len(digits) == 3 {
		digits = string([]byte{digits[0], digits[0], digits[1], digits[1], digits[2], digits[2]})
	}
	v, _ := strconv.ParseUint(digits, 16, 32) // cannot fail: isHexColor checked the digits
	r, g, b := float64(v>>16), float64(v>>8&0xff), float64(v&0xff)
	return (r*299 + g*587 + b*114) / 255000
}

// textWidth estimates how many pixels s takes in 11px Verdana. The result is rounded up
// to an odd number: centred in a box of odd width (odd + 2*padding), the text then starts
// on a whole pixel, which keeps its edges crisp.
func textWidth(s string) int {
	if s == "" {
		return 0
	}
	tenths := 0
	for _, r := range s {
		tenths += runeWidth(r)
	}
	w := int(math.Ceil(float64(tenths) / 10))
	if w%2 == 0 {
		w++
	}
	return w
}

// runeWidth is a rune's advance in 11px Verdana, in tenths of a pixel. Printable ASCII
// comes from the font's metrics; combining marks and format characters (accents, emoji
// joiners and variation selectors) take no space of their own; everything else is
// guessed at the width of "@", a full em, which suits CJK and emoji and overestimates
// accented Latin a little — textLength absorbs the difference.
func runeWidth(r rune) int {
	if r >= ' ' && r <= '~' {
		return asciiWidths[r-' ']
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	return 110
}

// asciiWidths holds the advance widths of ' ' through '~' in 11px Verdana, in tenths of
// a pixel (Verdana's 2048-unit glyph advances scaled to 11px and rounded).
var asciiWidths = [95]int{
	//   space  !   "   #   $   %    &   '   (   )   *   +   ,   -   .   /
	39, 43, 50, 90, 70, 118, 80, 30, 50, 50, 70, 90, 40, 50, 40, 50,
	//   0-9
	70, 70, 70, 70, 70, 70, 70, 70, 70, 70,
	//   :   ;   <   =   >   ?   @
	50, 50, 90, 90, 90, 60, 110,
	//   A   B   C   D   E   F   G   H   I   J   K   L   M   N   O   P   Q   R   S   T   U   V    W   X   Y   Z
	75, 75, 77, 85, 70, 63, 85, 83, 46, 50, 76, 61, 93, 82, 87, 66, 87, 76, 75, 68, 81, 75, 109, 75, 68, 75,
	//   [   \   ]   ^   _   `
	50, 50, 50, 90, 70, 70,
	//   a   b   c   d   e   f   g   h   i   j   k   l   m    n   o   p   q   r   s   t   u   v   w   x   y   z
	66, 69, 57, 69, 66, 39, 69, 70, 30, 38, 65, 30, 107, 70, 67, 69, 69, 47, 57, 43, 70, 65, 90, 65, 65, 58,
	//   {   |   }   ~
	70, 50, 70, 90,
}
