package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// format is how one provider makes text safe for its markup. text is applied to every
// user-controlled value (names, errors, causes) and link to URLs; the fixed template
// text needs neither.
type format struct {
	text func(string) string
	link func(string) string
}

func asIs(s string) string { return s }

// escapeAngles escapes &, < and >: all that Slack's text and Telegram's HTML need.
func escapeAngles(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// markdownEscaper puts a backslash before every character CommonMark (and the
// dialects built on it: Gotify's, Mattermost's) gives a meaning, so a value shows as
// it is: emphasis, code, links, headings, lists, HTML, entities and emoji short codes,
// and Mattermost's inline LaTeX ($…$).
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "(", `\(`, ")", `\)`, "#", `\#`, "+", `\+`, "-", `\-`, ".", `\.`,
	"!", `\!`, "|", `\|`, "~", `\~`, "&", `\&`, ":", `\:`, "$", `\$`,
)

// markdownLines joins detail lines with CommonMark's hard line break (two spaces
// before the newline); a bare newline would run them into one paragraph.
func markdownLines(body string) string {
	return strings.ReplaceAll(body, "\n", "  \n")
}

// noMentions keeps a value from pinging anyone: a zero-width space after every @
// breaks "@room", "@all", "@here" and "@user" for every client and server that looks
// for them in the text, and shows nothing.
func noMentions(s string) string {
	return strings.ReplaceAll(s, "@", "@\u200b")
}

// codeSpanNeeded are the characters that may format, link or mention in chat markups
// that have no backslash escape (Rocket.Chat's, Google Chat's).
const codeSpanNeeded = "*_~`<>[]|:#@\\$"

// codeSpan shows a value as it is in a markup without escapes: a value holding a
// character with a meaning goes into an inline code span, where nothing is parsed.
// A code span cannot hold a backquote, so one becomes the look-alike ˋ; every @
// still gets noMentions' zero-width space, for servers that look for mentions in
// the raw text whatever the markup says.
func codeSpan(s string) string {
	if s == "" || !strings.ContainsAny(s, codeSpanNeeded) {
		return s
	}
	return "`" + noMentions(strings.ReplaceAll(s, "`", "ˋ")) + "`"
}

// plain is the format of providers that show text as it is (email, ntfy, PagerDuty).
func plain() format { return format{text: asIs, link: asIs} }

// Lengths user-controlled values are cut to before they go into a message, so every
// provider's size limits hold whatever a target's name or error says.
const (
	maxNameInMessage  = 200
	maxErrorInMessage = 300
	maxURLInMessage   = 500
)

// summary is every message's text: a one-line title, and a body of detail lines
// separated by "\n" (possibly empty). It is the only place the wording lives; each
// provider supplies its escaping through f.
func summary(m Message, f format) (title, body string) {
	text := func(s string, n int) string { return f.text(clip(oneLine(s), n)) }
	var lines []string
	line := func(label, value string) {
		if value != "" {
			lines = append(lines, label+": "+value)
		}
	}
	link := func(label, u string) {
		if u = clip(oneLine(u), maxURLInMessage); u != "" {
			line(label, f.link(u))
		}
	}
	name := text(targetName(m.Target), maxNameInMessage)
	inc := m.Incident
	if inc == nil {
		inc = &IncidentRef{}
	}
	reason := inc.FirstError
	if reason == "" {
		reason = inc.LastError
	}
	if reason == "" {
		reason = inc.Cause
	}

	switch m.Event {
	case EventDown, EventWarmGap:
		title = icon(m.Event) + " " + name + " is down"
		if m.Event == EventWarmGap {
			title = icon(m.Event) + " " + name + " went cold"
		}
		if reason != "" {
			title += " — " + text(reason, maxErrorInMessage)
		}
		line("Cause", text(inc.Cause, maxErrorInMessage))
		line("First error", text(inc.FirstError, maxErrorInMessage))
		if inc.LastError != inc.FirstError {
			line("Last error", text(inc.LastError, maxErrorInMessage))
		}
		line("Started", timestamp(inc.StartedAt))
	case EventCertExpiry:
		title = icon(m.Event) + " " + name + ": " + text(inc.Cause, maxErrorInMessage)
		lines = append(lines, "Renew the certificate; the incident resolves when a check sees the new one.")
	case EventUp:
		again := " is up again"
		switch inc.Kind { // an incident's kind is the event that opened it
		case EventWarmGap:
			again = " is warm again"
		case EventCertExpiry:
			again = " has a renewed certificate"
		}
		title = icon(m.Event) + " " + name + again
		end := m.OccurredAt
		if inc.ResolvedAt != nil {
			end = *inc.ResolvedAt
		}
		if !inc.StartedAt.IsZero() && end.After(inc.StartedAt) {
			title += " after " + duration(end.Sub(inc.StartedAt))
		}
		line("Down since", timestamp(inc.StartedAt))
		line("Cause", text(inc.Cause, maxErrorInMessage))
	case EventTest:
		title = icon(m.Event) + " This is a test message from WatchDog."
		lines = append(lines, "If you can read this, notifications to this channel work.")
	case EventDegraded:
		title = icon(m.Event) + " WatchDog's checker is degraded: " + failedAtOnce(m)
		lines = append(lines, "This is likely a network or DNS problem on the checker's side; target alerts are held back until it recovers.")
	case EventRecovered:
		title = icon(m.Event) + " WatchDog's checker has recovered"
		if m.Affected > 0 {
			lines = append(lines, fmt.Sprintf("%d of %d targets are still down; their alerts follow.", m.Affected, m.Active))
		} else {
			lines = append(lines, "No target is down now.")
		}
	default:
		title = "WatchDog: " + text(m.Event, maxNameInMessage)
	}
	if m.Target != nil {
		link("URL", m.Target.URL)
	}
	link("Dashboard", m.DashboardURL)
	return title, strings.Join(lines, "\n")
}

// icon is the emoji an event's title starts with.
func icon(event string) string {
	switch event {
	case EventDown:
		return "🔴"
	case EventWarmGap:
		return "🟠"
	case EventCertExpiry:
		return "🔐"
	case EventUp:
		return "🟢"
	case EventTest:
		return "🔔"
	case EventDegraded:
		return "⚠️"
	case EventRecovered:
		return "✅"
	}
	return ""
}

// label names an event in a few words, for a heading.
func label(event string) string {
	switch event {
	case EventDown:
		return "Down"
	case EventWarmGap:
		return "Gone cold"
	case EventCertExpiry:
		return "Certificate expiring"
	case EventUp:
		return "Up again"
	case EventTest:
		return "Test"
	case EventDegraded:
		return "Checker degraded"
	case EventRecovered:
		return "Checker recovered"
	}
	return "Notification"
}

// isProblem says whether an event opens something (as opposed to closing it).
func isProblem(event string) bool {
	return event == EventDown || event == EventWarmGap || event == EventCertExpiry || event == EventDegraded
}

func failedAtOnce(m Message) string {
	if m.Affected > 0 && m.Active > 0 {
		return fmt.Sprintf("%d of %d targets failed at once", m.Affected, m.Active)
	}
	return "most targets failed at once"
}

// targetName is how a message names its target: its name, else its URL's host.
func targetName(t *TargetRef) string {
	switch {
	case t == nil:
		return "a target"
	case strings.TrimSpace(t.Name) != "":
		return t.Name
	}
	if u, err := url.Parse(t.URL); err == nil && u.Host != "" {
		return u.Host
	}
	if t.URL != "" {
		return t.URL
	}
	return fmt.Sprintf("target %d", t.ID)
}

// timestamp formats a time for people, in UTC; "" for the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// duration says how long something lasted, to the unit that matters: "45 s",
// "12 min", "3 h 5 min", "2 days 4 h".
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	days, h := int(d.Hours())/24, int(d.Hours())%24
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	if h == 0 {
		return fmt.Sprintf("%d %s", days, unit)
	}
	return fmt.Sprintf("%d %s %d h", days, unit, h)
}

// The pairing key of the checker-wide events: degraded opens it, recovered closes it.
const checkerDedupKey = "watchdog-checker-degraded"

// dedupKey pairs a message that opens an alert with the one that closes it, for the
// providers that keep alerts open until told (PagerDuty's dedup_key, Opsgenie's
// alias): the same for an incident's down and up, whatever the channel.
func dedupKey(m Message) string {
	switch {
	case m.Event == EventDegraded || m.Event == EventRecovered:
		return checkerDedupKey
	case m.Event == EventTest:
		return "watchdog-test-" + m.DeliveryID
	case m.Incident != nil:
		return fmt.Sprintf("watchdog-incident-%d", m.Incident.ID)
	case m.Target != nil:
		// Never sent by WatchDog, but still pairs a target's down with its up.
		return fmt.Sprintf("watchdog-target-%d", m.Target.ID)
	}
	return "watchdog-delivery-" + m.DeliveryID
}
