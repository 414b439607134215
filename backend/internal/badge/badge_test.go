package badge

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const svgNS = "http://www.w3.org/2000/svg"

// parsed is what the tests read back from a rendered badge.
type parsed struct {
	root  xml.StartElement
	title string
	rects []map[string]string // attributes of each <rect> inside the clip group
	texts []textElem
}

type textElem struct {
	attrs   map[string]string
	content string
}

// parse decodes every token of doc to EOF, failing the test on any XML error, and
// collects the parts the assertions need.
func parse(t *testing.T, doc []byte) parsed {
	t.Helper()
	var p parsed
	d := xml.NewDecoder(bytes.NewReader(doc)) // Strict by default
	var stack []string
	var inText *textElem
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				p.root = tok.Copy()
			}
			stack = append(stack, tok.Name.Local)
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
			}
			switch tok.Name.Local {
			case "rect":
				if stack[len(stack)-2] == "g" {
					p.rects = append(p.rects, attrs)
				}
			case "text":
				inText = &textElem{attrs: attrs}
			}
		case xml.CharData:
			switch {
			case inText != nil:
				inText.content += string(tok)
			case stack[len(stack)-1] == "title":
				p.title += string(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				p.texts = append(p.texts, *inText)
				inText = nil
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	return p
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

func TestRenderWellFormed(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 63) + "…"
	tests := []struct {
		name      string
		badge     Badge
		wantTitle string // the aria-label and <title>, after XML unescaping
	}{
		{"uptime", Badge{"uptime 24h", "99.95%", Green}, "uptime 24h: 99.95%"},
		{"status down", Badge{"status", "down", Red}, "status: down"},
		{"no data", Badge{"uptime 24h", "no data", Grey}, "uptime 24h: no data"},
		{"script label", Badge{"<script>alert(1)</script>", "up", Green}, "<script>alert(1)</script>: up"},
		{"script message", Badge{"status", "<script>alert(1)</script>", Red}, "status: <script>alert(1)</script>"},
		{"ampersand", Badge{"a&b", "a&amp;b", Yellow}, "a&b: a&amp;b"},
		{"quotes", Badge{`say "hi"`, `it's '1'`, Orange}, `say "hi": it's '1'`},
		{"attribute breakout", Badge{`" onload="alert(1)`, `'/><script>`, Green}, `" onload="alert(1): '/><script>`},
		{"emoji", Badge{"🐶 watchdog", "👩‍💻 ok ✅", YellowGreen}, "🐶 watchdog: 👩‍💻 ok ✅"},
		{"cjk and accents", Badge{"稼働率", "café", Green}, "稼働率: café"},
		{"empty message", Badge{"status", "", Red}, "status: "},
		{"empty label", Badge{"", "up", Green}, "up"},
		{"both empty", Badge{}, ""},
		{"control characters dropped", Badge{"a\x00b\tc\nd\x1b[31m", "e\u0085f\x7f", Green}, "abcd[31m: ef"},
		{"invalid utf8 replaced", Badge{"bad\xffbyte", "ok\xc3", Green}, "bad\uFFFDbyte: ok\uFFFD"},
		{"xml non-characters dropped", Badge{"a\uFFFEb\uFFFF", "up", Green}, "ab: up"},
		{"very long text capped", Badge{strings.Repeat("x", 500), strings.Repeat("x", 65), Green}, long + ": " + long},
		{"exactly the cap kept", Badge{strings.Repeat("y", 64), "up", Green}, strings.Repeat("y", 64) + ": up"},
		{"hostile colour replaced", Badge{"status", "up", `"/><script>alert(1)</script>`}, "status: up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := Render(tt.badge)
			p := parse(t, out)

			if p.root.Name.Local != "svg" || p.root.Name.Space != svgNS {
				t.Errorf("root = {%s}%s, want {%s}svg", p.root.Name.Space, p.root.Name.Local, svgNS)
			}
			if got := attr(p.root, "role"); got != "img" {
				t.Errorf("role = %q, want img", got)
			}
			if got := attr(p.root, "aria-label"); got != tt.wantTitle {
				t.Errorf("aria-label = %q, want %q", got, tt.wantTitle)
			}
			if p.title != tt.wantTitle {
				t.Errorf("title = %q, want %q", p.title, tt.wantTitle)
			}
			if bytes.Contains(out, []byte("<script")) {
				t.Errorf("raw output contains an unescaped <script:\n%s", out)
			}
			if !utf8.Valid(out) {
				t.Errorf("output is not valid UTF-8")
			}
		})
	}
}

func TestRenderHostileColourFallsBackToGrey(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"", "red", "#12345", "#1234567", "#ggg", `#fff" onclick="x`} {
		p := parse(t, Render(Badge{"status", "up", c}))
		msgRect := p.rects[1]
		if msgRect["fill"] != Grey {
			t.Errorf("Color %q: message fill = %q, want %q", c, msgRect["fill"], Grey)
		}
	}
}

// TestRenderLayout checks the geometry: boxes sized to their text with 5–6 px either
// side, text centred in its box, the shadow copy 1px lower at 30% opacity, and a total
// width that is the sum of the boxes.
func TestRenderLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		badge Badge
	}{
		{"uptime", Badge{"uptime 24h", "99.95%", Green}},
		{"status", Badge{"status", "up", Green}},
		{"wide text", Badge{"WWWWWWWW", "mmmmmmmm", Red}},
		{"narrow text", Badge{"iiii", "llll", Red}},
		{"emoji", Badge{"🐶", "✅", Green}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := parse(t, Render(tt.badge))
			if len(p.rects) != 3 || len(p.texts) != 4 {
				t.Fatalf("got %d rects and %d texts, want 3 and 4", len(p.rects), len(p.texts))
			}
			labelBox, messageBox := p.rects[0], p.rects[1]
			labelW, messageW := atof(t, labelBox["width"]), atof(t, messageBox["width"])
			if got := atof(t, attr(p.root, "width")); got != labelW+messageW {
				t.Errorf("svg width = %v, want %v", got, labelW+messageW)
			}
			if got := atof(t, messageBox["x"]); got != labelW {
				t.Errorf("message box x = %v, want %v", got, labelW)
			}
			if labelBox["fill"] != labelColor || messageBox["fill"] != tt.badge.Color {
				t.Errorf("fills = %q, %q", labelBox["fill"], messageBox["fill"])
			}
			boxes := []struct{ x, w float64 }{{0, labelW}, {labelW, messageW}}
			for i, box := range boxes {
				shadow, text := p.texts[2*i], p.texts[2*i+1]
				length := atof(t, text.attrs["textLength"])
				if pad := (box.w - length) / 2; pad < 5 || pad > 6 {
					t.Errorf("box %d: padding %v px, want 5–6", i, pad)
				}
				if got, want := atof(t, text.attrs["x"]), box.x+box.w/2; got != want {
					t.Errorf("box %d: text x = %v, want centre %v", i, got, want)
				}
				if shadow.content != text.content || shadow.attrs["x"] != text.attrs["x"] {
					t.Errorf("box %d: shadow %+v does not match text %+v", i, shadow, text)
				}
				if atof(t, shadow.attrs["y"]) != atof(t, text.attrs["y"])+1 || shadow.attrs["fill-opacity"] != ".3" {
					t.Errorf("box %d: shadow y=%s opacity=%s, want text y+1 and .3",
						i, shadow.attrs["y"], shadow.attrs["fill-opacity"])
				}
			}
		})
	}
}

func TestRenderEmptyParts(t *testing.T) {
	t.Parallel()
	p := parse(t, Render(Badge{"", "up", Green}))
	if len(p.rects) != 2 || p.rects[0]["x"] != "0" {
		t.Errorf("empty label: want only the message box and the gradient, got %v", p.rects)
	}
	p = parse(t, Render(Badge{"status", "", Red}))
	if len(p.texts) != 2 {
		t.Errorf("empty message: want only the label's two texts, got %d", len(p.texts))
	}
}

func TestWidthGrowsWithText(t *testing.T) {
	t.Parallel()
	prev := -1.0
	for n := 0; n <= 64; n++ {
		msg := strings.Repeat("9", n)
		got := atof(t, attr(parse(t, Render(Badge{"uptime", msg, Green})).root, "width"))
		if got <= prev {
			t.Fatalf("width for %d digits = %v, not more than %v for %d", n, got, prev, n-1)
		}
		prev = got
	}
	if a, b := textWidth("iiii"), textWidth("WWWW"); a >= b {
		t.Errorf("textWidth(iiii) = %d, not less than textWidth(WWWW) = %d", a, b)
	}
}

func TestRenderLightColourGetsDarkText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		color, wantFill string
	}{
		{Green, "#fff"}, {Red, "#fff"}, {Grey, "#fff"}, {Yellow, "#fff"},
		{"#ff0", "#333"}, {"#FFFFFF", "#333"},
	}
	for _, tt := range tests {
		p := parse(t, Render(Badge{"status", "up", tt.color}))
		if got := p.texts[3].attrs["fill"]; got != tt.wantFill {
			t.Errorf("Color %s: message text fill = %s, want %s", tt.color, got, tt.wantFill)
		}
	}
}

func TestRenderDeterministicAndSmall(t *testing.T) {
	t.Parallel()
	b := Badge{"uptime 24h", "99.95%", Green}
	first := Render(b)
	for range 10 {
		if again := Render(b); !bytes.Equal(first, again) {
			t.Fatalf("output changed between calls:\n%s\n%s", first, again)
		}
	}
	if len(first) > 1024 {
		t.Errorf("badge is %d bytes, want at most 1 KiB", len(first))
	}
}

func TestUptimeColor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ratio float64
		want  string
	}{
		{"perfect", 1, Green},
		{"at 99.9", .999, Green},
		{"just under 99.9", .99899, lightGreen},
		{"at 99", .99, lightGreen},
		{"just under 99", .98999, YellowGreen},
		{"at 95", .95, YellowGreen},
		{"just under 95", .94999, Yellow},
		{"at 90", .9, Yellow},
		{"just under 90", .89999, Orange},
		{"at 80", .8, Orange},
		{"just under 80", .79999, Red},
		{"zero", 0, Red},
		{"computed 999/1000", 999.0 / 1000.0, Green},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UptimeColor(tt.ratio); got != tt.want {
				t.Errorf("UptimeColor(%v) = %s, want %s", tt.ratio, got, tt.want)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ratio float64
		want  string
	}{
		{1, "100%"},
		{0.99954, "99.95%"},
		{0.99956, "99.96%"},
		{0.5, "50%"},
		{0, "0%"},
		{0.999, "99.9%"},
		{0.95, "95%"},
		{0.29, "29%"}, // 0.29*100 is 28.999999999999996 in float64
		{0.123, "12.3%"},
		{0.00001, "0%"},
		{0.99999, "99.99%"}, // would round to 100: never claim a perfect period that was not
		{0.999999999, "99.99%"},
		{1.5, "100%"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatFloat(tt.ratio, 'g', -1, 64), func(t *testing.T) {
			if got := Percent(tt.ratio); got != tt.want {
				t.Errorf("Percent(%v) = %q, want %q", tt.ratio, got, tt.want)
			}
		})
	}
}

// ExampleRender pins the exact bytes of a typical badge, so any change to the drawing
// shows up in review as a diff of this output.
func ExampleRender() {
	fmt.Println(string(Render(Badge{Label: "uptime 24h", Message: Percent(0.99954), Color: UptimeColor(0.99954)})))
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="130" height="20" role="img" aria-label="uptime 24h: 99.95%"><title>uptime 24h: 99.95%</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="130" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="75" height="20" fill="#555"/><rect x="75" width="55" height="20" fill="#4c1"/><rect width="130" height="20" fill="url(#s)"/></g><g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="37.5" y="15" fill="#010101" fill-opacity=".3" textLength="65">uptime 24h</text><text x="37.5" y="14" fill="#fff" textLength="65">uptime 24h</text><text x="102.5" y="15" fill="#010101" fill-opacity=".3" textLength="45">99.95%</text><text x="102.5" y="14" fill="#fff" textLength="45">99.95%</text></g></svg>
}

func BenchmarkRender(b *testing.B) {
	badge := Badge{"uptime 24h", "99.95%", Green}
	b.ReportAllocs()
	for b.Loop() {
		Render(badge)
	}
}
