package text

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" when accepted; else a part of the message
	}{
		{"plain", "shop-api", ""},
		{"empty is the caller's to judge", "", ""},
		{"accents and scripts", "café 東京", ""},
		{"emoji", "🚀 go", ""},
		{"emoji joined by ZWJ", "👩‍💻 dev", ""},
		{"emoji with variation selector and ZWJ", "❤️‍🔥", ""},
		{"persian with ZWNJ between letters", "می\u200cخواهم", ""},
		{"subdivision flag tags", "🏴\U000E0067\U000E0062\U000E0065\U000E007F", ""},
		{"right-to-left override", "\u202eadmin", "U+202E"},
		{"left-to-right isolate", "a\u2066b", "U+2066"},
		{"right-to-left mark", "admin\u200f", "U+200F"},
		{"zero-width space inside", "ad\u200bmin", "U+200B"},
		{"two zero-width spaces", "\u200b\u200b", "U+200B"},
		{"byte-order mark", "\ufeffname", "U+FEFF"},
		{"word joiner", "a\u2060b", "U+2060"},
		{"hangul filler alone", "\u3164", "U+3164"},
		{"ZWJ at the start", "\u200dadmin", "U+200D"},
		{"ZWJ next to a space", "a \u200d b", "U+200D"},
		{"only spaces", "   ", "visible"},
		{"bell", "name\a", "control"},
		{"DEL", "name\x7f", "control"},
		{"newline", "a\nb", "control"},
		{"invalid UTF-8", "a\xffb", "UTF-8"},
		{"lone surrogate bytes", "a\xed\xa0\x80b", "UTF-8"},
		{"too long", strings.Repeat("é", 11), "at most 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.in, 10)
			if tt.want == "" && got != "" {
				t.Fatalf("Line(%q) = %q, want accepted", tt.in, got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("Line(%q) = %q, want a message containing %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	if msg := Block("first line\n\tsecond line\r\n", 100); msg != "" {
		t.Fatalf("Block refused lines and tabs: %q", msg)
	}
	if msg := Block("a\u202eb", 100); !strings.Contains(msg, "U+202E") {
		t.Fatalf("Block accepted a bidi override: %q", msg)
	}
	if msg := Block("a\x00b", 100); !strings.Contains(msg, "control") {
		t.Fatalf("Block accepted NUL: %q", msg)
	}
	if msg := Block("\n\t\n", 100); !strings.Contains(msg, "visible") {
		t.Fatalf("Block accepted only white space: %q", msg)
	}
}

func TestLengthCountsCharacters(t *testing.T) {
	if msg := Line(strings.Repeat("東", 200), 200); msg != "" {
		t.Fatalf("200 three-byte characters refused at a 200-character limit: %q", msg)
	}
}
