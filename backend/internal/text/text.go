// Package text holds the rules that every piece of text people write into WatchDog
// shares (target, channel and page names, usernames, titles, descriptions): it is
// valid UTF-8, it has no control characters, and it has none of the invisible
// characters that make two names look alike or reverse how a line reads. A name
// "\u202eadmin" shows as "nimda" and one made of two zero-width spaces shows as
// nothing; both would be stored and shown as they are, so they are refused instead.
package text

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Line says what is wrong with s as one line of visible text of at most maxChars
// characters, or "" when nothing is. It does not trim: callers trim spaces first.
func Line(s string, maxChars int) string {
	return check(s, maxChars, false)
}

// Block is Line for text of several lines: newlines and tabs are allowed.
func Block(s string, maxChars int) string {
	return check(s, maxChars, true)
}

func check(s string, maxChars int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(s); n > maxChars {
		return fmt.Sprintf("must be at most %d characters", maxChars)
	}
	visible := false
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case unicode.IsControl(r):
			if multiline && (r == '\n' || r == '\t' || r == '\r') {
				continue
			}
			return "must not contain control characters"
		case Hidden(r):
			return fmt.Sprintf("must not contain invisible or direction-changing characters (U+%04X)", r)
		case r == zwj || r == zwnj:
			// Joiners belong between two visible characters: emoji sequences
			// ("👩‍💻") and scripts that need them. Anywhere else they hide.
			if i == 0 || i == len(runes)-1 || !shows(runes[i-1]) || !shows(runes[i+1]) {
				return fmt.Sprintf("must not contain invisible or direction-changing characters (U+%04X)", r)
			}
		case shows(r):
			visible = true
		}
	}
	if s != "" && !visible {
		return "must contain a visible character"
	}
	return ""
}

const (
	zwnj = '\u200c'
	zwj  = '\u200d'
)

// Hidden reports whether r is a format character that shows nothing or changes the
// direction of the text around it (bidi embeddings, overrides and isolates, zero-width
// spaces, the byte-order mark), or a filler that renders as a blank letter. The
// joiners U+200C and U+200D are not Hidden: Line allows them between visible
// characters. Emoji tag characters (U+E0020–U+E007F), which spell subdivision flags,
// are allowed too.
func Hidden(r rune) bool {
	switch {
	case r == zwnj || r == zwj:
		return false
	case r >= 0xE0020 && r <= 0xE007F:
		return false
	case unicode.Is(unicode.Cf, r):
		return true
	}
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\u034f', '\u180e':
		// Hangul fillers, the braille blank, the combining grapheme joiner and the
		// Mongolian vowel separator: letters or marks by category, blanks on screen.
		return true
	}
	return false
}

// shows reports whether r puts ink on the screen by itself.
func shows(r rune) bool {
	return !unicode.IsSpace(r) && !Hidden(r) && r != zwj && r != zwnj &&
		(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsMark(r))
}
