package target

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Condition is one more rule a target's answer must meet, beyond its expected status,
// to count as up. Which fields matter depends on Type:
//
//	latency  Op "<" or "<=", Value milliseconds           latency_ms < 800
//	body     Op contains, not_contains, matches, not_matches; Value text or a regexp
//	json     Path a JSONPath ($.status, $.checks[0].ok, $.items[*].state); Op ==, !=,
//	         <, <=, >, >=, exists, not_exists, contains, matches; Value compared as a
//	         number when both sides are numbers
//	header   Name a header; Op exists, not_exists, ==, !=, contains, matches
//	cert_days  Op ">" or ">=", Value whole days: the server's certificate must expire
//	         later than that many days from now (https and tls; on plain http it fails)
//	answer   Op contains, not_contains, matches, not_matches on a dns answer's records
//	         as text, one per line; Op == holds when any one record equals Value
//	rcode    Op == or !=, Value one of DNSRcodes: the dns answer's code. A dns target
//	         with an rcode condition is judged by its conditions alone: the default
//	         "NOERROR with at least one record" no longer applies, so rcode == NXDOMAIN
//	         can be the answer expected
//	packet_loss  Op "<" or "<=", Value a percentage 0-100 of echo requests unanswered
//
// Which kinds a type of target may use is ConditionAllowed. Fields a kind does not use
// must be empty. Validate checks all of this; compile a
// target's conditions once with CompileConditions and evaluate them on every answer.
type Condition struct {
	Type  string
	Path  string
	Name  string
	Op    string
	Value string
}

// The kinds of condition.
const (
	ConditionLatency = "latency"
	ConditionBody    = "body"
	ConditionJSON    = "json"
	ConditionHeader  = "header"
	// ConditionCertDays is checked on https and tls targets' certificates.
	ConditionCertDays = "cert_days"
	// ConditionAnswer and ConditionRcode are checked on dns answers.
	ConditionAnswer = "answer"
	ConditionRcode  = "rcode"
	// ConditionPacketLoss is checked on icmp echo replies.
	ConditionPacketLoss = "packet_loss"
)

// The operators a condition may use; conditionOps says which kind takes which.
const (
	OpLess        = "<"
	OpLessEq      = "<="
	OpGreater     = ">"
	OpGreaterEq   = ">="
	OpEqual       = "=="
	OpNotEqual    = "!="
	OpContains    = "contains"
	OpNotContains = "not_contains"
	OpMatches     = "matches"
	OpNotMatches  = "not_matches"
	OpExists      = "exists"
	OpNotExists   = "not_exists"
)

// ConditionTypes are the kinds of condition, in the order error messages list them.
var ConditionTypes = []string{ConditionLatency, ConditionBody, ConditionJSON, ConditionHeader,
	ConditionCertDays, ConditionAnswer, ConditionRcode, ConditionPacketLoss}

// typeConditions are the kinds of condition each type of target may use: those whose
// answer that type's check measures. A heartbeat is pinged, not checked, so has none.
var typeConditions = map[Type][]string{
	TypeHTTP: {ConditionLatency, ConditionBody, ConditionJSON, ConditionHeader, ConditionCertDays},
	TypeTCP:  {ConditionLatency},
	TypeTLS:  {ConditionLatency, ConditionCertDays},
	TypeDNS:  {ConditionAnswer, ConditionRcode, ConditionLatency},
	TypeICMP: {ConditionLatency, ConditionPacketLoss},
}

// ConditionAllowed reports whether a target of type typ ("" is http) may have a
// condition of kind: whether its check measures what the condition looks at.
// cert_days is allowed on every http target, as the scheme may change with the URL;
// on a plain http one it fails the check, saying there is no certificate.
func ConditionAllowed(typ Type, kind string) bool {
	if typ == "" {
		typ = TypeHTTP
	}
	return slices.Contains(typeConditions[typ], kind)
}

var conditionOps = map[string][]string{
	ConditionLatency: {OpLess, OpLessEq},
	ConditionBody:    {OpContains, OpNotContains, OpMatches, OpNotMatches},
	ConditionJSON: {OpEqual, OpNotEqual, OpLess, OpLessEq, OpGreater, OpGreaterEq,
		OpExists, OpNotExists, OpContains, OpMatches},
	ConditionHeader:     {OpExists, OpNotExists, OpEqual, OpNotEqual, OpContains, OpMatches},
	ConditionCertDays:   {OpGreater, OpGreaterEq},
	ConditionAnswer:     {OpContains, OpNotContains, OpEqual, OpMatches, OpNotMatches},
	ConditionRcode:      {OpEqual, OpNotEqual},
	ConditionPacketLoss: {OpLess, OpLessEq},
}

const (
	// MaxConditions bounds the conditions of one target: each is evaluated on every
	// check.
	MaxConditions = 20
	// maxConditionText bounds a condition's value, path and header name.
	maxConditionText = 1024
	// maxPattern bounds a regexp. RE2 runs in time linear in the body, but its program
	// grows with the pattern, and a check runs it on up to MaxBodyBytes every interval.
	maxPattern   = 512
	maxLatencyMS = 600_000
	// maxCertDays bounds a cert_days condition: no certificate lasts ten years.
	maxCertDays = 3650
	// maxShown bounds a value quoted in a condition's text or a failure: enough to
	// recognise it, short enough that twenty failures still fit in a check's error.
	maxShown = 80
)

// conditionFieldError is a problem with one field of one condition; the caller names
// the condition.
type conditionFieldError struct {
	field   string
	message string
}

func (e conditionFieldError) Error() string { return e.field + ": " + e.message }

// validateConditions adds a field error, named like conditions[2].op, for every broken
// rule of every condition, and for a condition of a kind a target of type typ does not
// measure.
func validateConditions(v *ValidationError, typ Type, conds []Condition) {
	if len(conds) > MaxConditions {
		v.add("conditions", "must have at most %d entries", MaxConditions)
		return
	}
	for i, c := range conds {
		for _, e := range conditionErrors(typ, c) {
			v.add(fmt.Sprintf("conditions[%d].%s", i, e.field), "%s", e.message)
		}
	}
}

// conditionErrors is compileCondition's errors, with the type's own rule first.
func conditionErrors(typ Type, c Condition) []conditionFieldError {
	_, errs := compileCondition(c)
	if _, known := conditionOps[c.Type]; known && !ConditionAllowed(typ, c.Type) {
		if typ == "" {
			typ = TypeHTTP
		}
		errs = append([]conditionFieldError{{field: "type", message: "is not a condition of " + withArticle(string(typ)) + " target"}}, errs...)
	}
	return errs
}

// Conditions are a target's conditions compiled: regexps, JSONPaths and numbers parsed
// once, so that a check evaluates them on each attempt without parsing anything but the
// answer. The zero value holds no conditions.
type Conditions struct {
	list []compiledCondition
}

// compiledCondition is a Condition with its value parsed for its kind.
type compiledCondition struct {
	Condition
	// latency is a latency condition's bound.
	latency time.Duration
	// re is the regexp of a matches or not_matches condition.
	re *regexp.Regexp
	// path is a json condition's JSONPath.
	path jsonPath
	// lit is a json condition's value read as a JSON literal.
	lit literal
	// header is a header condition's name in canonical form (Content-Type).
	header string
	// days is a cert_days condition's bound.
	days int
	// loss is a packet_loss condition's bound, in percent.
	loss float64
}

// literal is a json condition's value. A value in double quotes is always a string;
// one without is also a number, true, false or null when it reads as one.
type literal struct {
	str    string // the value without its quotes
	quoted bool
	num    float64
	isNum  bool
	isBool bool // the value is true or false, unquoted
	isNull bool
}

// CompileConditions parses conds for evaluation. It fails on the first rule broken,
// naming the condition (conditions[1].value: …); Validate reports them all.
func CompileConditions(conds []Condition) (Conditions, error) {
	return compileConditions(conds, func(Condition) []conditionFieldError { return nil })
}

// CompileConditionsFor is CompileConditions that also refuses a condition a target of
// type typ does not measure, as validation does: a prober checking a target whose type
// changed under its conditions says so rather than failing on a missing answer.
func CompileConditionsFor(typ Type, conds []Condition) (Conditions, error) {
	return compileConditions(conds, func(c Condition) []conditionFieldError {
		if _, known := conditionOps[c.Type]; known && !ConditionAllowed(typ, c.Type) {
			if typ == "" {
				typ = TypeHTTP
			}
			return []conditionFieldError{{field: "type", message: "is not a condition of " + withArticle(string(typ)) + " target"}}
		}
		return nil
	})
}

func compileConditions(conds []Condition, extra func(Condition) []conditionFieldError) (Conditions, error) {
	if len(conds) > MaxConditions {
		return Conditions{}, fmt.Errorf("conditions: must have at most %d entries", MaxConditions)
	}
	list := make([]compiledCondition, 0, len(conds))
	for i, c := range conds {
		if errs := extra(c); len(errs) > 0 {
			return Conditions{}, fmt.Errorf("conditions[%d].%w", i, errs[0])
		}
		cc, errs := compileCondition(c)
		if len(errs) > 0 {
			return Conditions{}, fmt.Errorf("conditions[%d].%w", i, errs[0])
		}
		list = append(list, cc)
	}
	return Conditions{list: list}, nil
}

// Has reports whether any condition is of kind: a dns check with an rcode condition
// leaves the verdict on the answer's code to it.
func (c Conditions) Has(kind string) bool {
	return slices.ContainsFunc(c.list, func(cc compiledCondition) bool { return cc.Type == kind })
}

// Len is how many conditions there are.
func (c Conditions) Len() int { return len(c.list) }

// NeedsBody reports whether any condition looks at the body, so a prober keeps the
// body only when it will be read.
func (c Conditions) NeedsBody() bool {
	return slices.ContainsFunc(c.list, func(cc compiledCondition) bool {
		return cc.Type == ConditionBody || cc.Type == ConditionJSON
	})
}

// compileCondition checks c and parses it. It reports every broken rule, each by the
// name of its field, and the compiled condition only when there are none.
func compileCondition(c Condition) (compiledCondition, []conditionFieldError) {
	var errs []conditionFieldError
	// One message per field: a value too long to store need not also be called a bad
	// regexp.
	fail := func(field, format string, args ...any) {
		if !slices.ContainsFunc(errs, func(e conditionFieldError) bool { return e.field == field }) {
			errs = append(errs, conditionFieldError{field: field, message: fmt.Sprintf(format, args...)})
		}
	}
	ops, known := conditionOps[c.Type]
	if !known {
		fail("type", "must be one of %s", strings.Join(ConditionTypes, ", "))
		return compiledCondition{}, errs
	}
	if !slices.Contains(ops, c.Op) {
		fail("op", "must be one of %s for a %s condition", strings.Join(ops, ", "), c.Type)
	}
	// A field that does nothing for this kind is a mistake in the request, and saying so
	// beats a condition that silently checks something else than was meant.
	if c.Type != ConditionJSON && c.Path != "" {
		fail("path", "must be empty for a %s condition", c.Type)
	}
	if c.Type != ConditionHeader && c.Name != "" {
		fail("name", "must be empty for a %s condition", c.Type)
	}
	if len(c.Value) > maxConditionText {
		fail("value", "must be at most %d bytes", maxConditionText)
	} else if !utf8.ValidString(c.Value) || strings.ContainsRune(c.Value, 0) {
		// Conditions are stored as text, and PostgreSQL refuses a NUL in text.
		fail("value", "must be UTF-8 text without NUL")
	}

	cc := compiledCondition{Condition: c}
	switch c.Type {
	case ConditionLatency:
		ms, err := strconv.Atoi(c.Value)
		if err != nil || ms < 1 || ms > maxLatencyMS {
			fail("value", "must be whole milliseconds between 1 and %d", maxLatencyMS)
		}
		cc.latency = time.Duration(ms) * time.Millisecond
	case ConditionJSON:
		switch {
		case c.Path == "":
			fail("path", "is required for a json condition")
		case len(c.Path) > maxConditionText:
			fail("path", "must be at most %d bytes", maxConditionText)
		case strings.IndexFunc(c.Path, unicode.IsControl) >= 0 || !utf8.ValidString(c.Path):
			fail("path", "must be printable text")
		default:
			p, err := parseJSONPath(c.Path)
			if err != nil {
				fail("path", "must be a JSONPath such as $.status, $.checks[0].ok or $.items[*].state: %v", err)
			}
			cc.path = p
		}
		if c.Op != OpMatches {
			lit, err := parseLiteral(c.Value)
			if err != nil {
				fail("value", "%v", err)
			}
			cc.lit = lit
		}
	case ConditionHeader:
		switch {
		case c.Name == "":
			fail("name", "is required for a header condition")
		case len(c.Name) > maxConditionText || !isToken(c.Name):
			fail("name", "must be a valid header name")
		}
		cc.header = textproto.CanonicalMIMEHeaderKey(c.Name)
	case ConditionCertDays:
		days, err := strconv.Atoi(c.Value)
		if err != nil || days < 0 || days > maxCertDays {
			fail("value", "must be whole days between 0 and %d", maxCertDays)
		}
		cc.days = days
	case ConditionRcode:
		if !slices.Contains(DNSRcodes, c.Value) {
			fail("value", "must be one of %s", strings.Join(DNSRcodes, ", "))
		}
	case ConditionPacketLoss:
		loss, err := strconv.ParseFloat(c.Value, 64)
		if err != nil || math.IsNaN(loss) || loss < 0 || loss > 100 {
			fail("value", "must be a percentage between 0 and 100")
		}
		cc.loss = loss
	}
	switch c.Op {
	case OpExists, OpNotExists:
		if c.Value != "" {
			fail("value", "must be empty for %s", c.Op)
		}
	case OpMatches, OpNotMatches:
		if len(c.Value) > maxPattern {
			fail("value", "must be a regexp of at most %d bytes", maxPattern)
			break
		}
		re, err := regexp.Compile(c.Value)
		if err != nil {
			fail("value", "must be a valid regexp: %s", Printable(err.Error(), 2*maxShown))
		}
		cc.re = re
	case OpContains, OpNotContains:
		if c.Value == "" {
			fail("value", "is required for %s", c.Op)
		}
	case OpEqual, OpNotEqual, OpLessEq, OpLess, OpGreater, OpGreaterEq:
		// A header may be compared with the empty string; a JSON string is written "".
		if c.Value == "" && c.Type == ConditionJSON {
			fail("value", "is required for %s (write \"\" for the empty string)", c.Op)
		}
		// No dns record is empty text.
		if c.Value == "" && c.Type == ConditionAnswer {
			fail("value", "is required for %s", c.Op)
		}
	}
	if len(errs) > 0 {
		return compiledCondition{}, errs
	}
	return cc, nil
}

// parseLiteral reads a json condition's value. "ok" and ok are both the string ok, so a
// user need not remember which form the API wants; only the unquoted form can be a
// number, a boolean or null.
func parseLiteral(s string) (literal, error) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		var str string
		if err := json.Unmarshal([]byte(s), &str); err != nil {
			return literal{}, errors.New("must be a valid JSON string when in double quotes")
		}
		return literal{str: str, quoted: true}, nil
	}
	lit := literal{str: s}
	switch s {
	case "true", "false":
		lit.isBool = true
	case "null":
		lit.isNull = true
	default:
		// ParseFloat also reads Inf, NaN and hex, which no JSON number is.
		if n, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) && json.Valid([]byte(s)) {
			lit.num, lit.isNum = n, true
		}
	}
	return lit, nil
}

// String reads like the condition: latency_ms < 800, body contains "Welcome",
// $.status == "ok", header Content-Type contains "json".
func (c Condition) String() string {
	var b strings.Builder
	switch c.Type {
	case ConditionLatency:
		b.WriteString("latency_ms")
	case ConditionBody:
		b.WriteString("body")
	case ConditionJSON:
		b.WriteString(Printable(c.Path, maxShown))
	case ConditionHeader:
		b.WriteString("header " + Printable(c.Name, maxShown))
	case ConditionCertDays, ConditionAnswer, ConditionRcode, ConditionPacketLoss:
		b.WriteString(c.Type)
	default:
		b.WriteString(Printable(c.Type, maxShown))
	}
	b.WriteString(" " + Printable(c.Op, maxShown))
	if c.Op == OpExists || c.Op == OpNotExists {
		return b.String()
	}
	b.WriteString(" ")
	switch {
	case c.Type == ConditionLatency, c.Type == ConditionCertDays, c.Type == ConditionRcode,
		c.Type == ConditionPacketLoss:
		b.WriteString(Printable(c.Value, maxShown))
	case c.Type == ConditionJSON && c.Op != OpMatches:
		lit, _ := parseLiteral(c.Value)
		if lit.quoted || lit.isNum || lit.isBool || lit.isNull {
			// Already a JSON literal: show it as written, so 5 and "5" stay apart.
			b.WriteString(Printable(c.Value, maxShown))
		} else {
			b.WriteString(quote(c.Value))
		}
	default:
		b.WriteString(quote(c.Value))
	}
	return b.String()
}

// Answer is what a target answered to one attempt.
type Answer struct {
	Status int
	// Header holds the response headers; an http.Header may be passed as it is. Names
	// are looked up case-insensitively.
	Header map[string][]string
	// Body is the body as read, which may be only its first part: a prober reads up to
	// its cap.
	Body    []byte
	Latency time.Duration
	// CertExpiresAt is when the server's certificate ends; nil when there was no TLS.
	CertExpiresAt *time.Time
	// NoCertReason says why CertExpiresAt is nil, for a cert_days failure ("the answer
	// came over plain http after a redirect"); empty means the URL is plain http.
	NoCertReason string
	// Now is when the answer came, for cert_days; the zero value means time.Now().
	Now time.Time
	// Records are a dns answer's records as text, one each, and Rcode its code by name
	// (NOERROR, NXDOMAIN, …).
	Records []string
	Rcode   string
	// Shown are Records as a failure may quote them: a prober masks there what must not
	// be shown (an address its guard refuses). Conditions judge Records; nil means
	// Records may be quoted as they are.
	Shown []string
	// PacketLoss is an icmp check's share of echo requests unanswered, in percent; nil
	// for other types.
	PacketLoss *float64
	// Private is set when the answer came from a host reached only because the
	// operator allows private addresses: failures then say which condition failed and
	// why in WatchDog's own words, but quote nothing of the body or headers, which were
	// never the URL's author's to read.
	Private bool
}

// Evaluate judges a against every condition. It returns one message per condition a
// does not meet, in the conditions' order, such as
//
//	$.status == "ok" failed: got "degraded"
//
// and whether every failure is a latency or packet_loss one: slowness and lost packets
// may pass, so a retry is worth making, while a wrong body, header, certificate or dns
// answer is the server's considered answer.
func (c Conditions) Evaluate(a Answer) (failures []string, onlyLatency bool) {
	onlyLatency = true
	body := lazyJSON{data: a.Body}
	// show passes on text quoted from the answer, unless it came from a private host.
	show := func(quoted string) string { return quoted }
	if a.Private {
		show = func(string) string { return "a value not shown (private host)" }
	}
	for _, cc := range c.list {
		var seen string
		var ok bool
		switch cc.Type {
		case ConditionLatency:
			ok, seen = cc.evalLatency(a.Latency)
		case ConditionBody:
			ok, seen = cc.evalBody(a.Body, show)
		case ConditionJSON:
			ok, seen = cc.evalJSON(&body, show)
		case ConditionHeader:
			ok, seen = cc.evalHeader(a.Header, show)
		case ConditionCertDays:
			ok, seen = cc.evalCertDays(a.CertExpiresAt, a.NoCertReason, a.Now)
		case ConditionAnswer:
			ok, seen = cc.evalAnswer(a.Records, a.Shown, show)
		case ConditionRcode:
			ok, seen = cc.evalRcode(a.Rcode)
		case ConditionPacketLoss:
			ok, seen = cc.evalPacketLoss(a.PacketLoss)
		}
		if ok {
			continue
		}
		failures = append(failures, cc.String()+" failed: "+seen)
		if cc.Type != ConditionLatency && cc.Type != ConditionPacketLoss {
			onlyLatency = false
		}
	}
	return failures, onlyLatency && len(failures) > 0
}

func (cc compiledCondition) evalLatency(d time.Duration) (bool, string) {
	ok := d < cc.latency || (cc.Op == OpLessEq && d == cc.latency)
	return ok, fmt.Sprintf("took %d ms", d.Milliseconds())
}

func (cc compiledCondition) evalCertDays(expires *time.Time, noCert string, now time.Time) (bool, string) {
	switch {
	case expires == nil && noCert != "":
		return false, "no certificate: " + noCert
	case expires == nil:
		return false, "no certificate (the URL is plain http)"
	}
	if now.IsZero() {
		now = time.Now()
	}
	bound := now.Add(time.Duration(cc.days) * 24 * time.Hour)
	ok := expires.After(bound) || (cc.Op == OpGreaterEq && expires.Equal(bound))
	left := expires.Sub(now)
	var seen string
	switch {
	case left <= 0:
		seen = "expired on " + expires.UTC().Format(time.DateOnly)
	case left < 24*time.Hour:
		seen = "expires within a day, on " + expires.UTC().Format(time.DateOnly)
	default:
		seen = fmt.Sprintf("expires in %d days, on %s", int(left/(24*time.Hour)), expires.UTC().Format(time.DateOnly))
	}
	return ok, seen
}

// evalAnswer judges records, and quotes only shown (records where shown is nil).
func (cc compiledCondition) evalAnswer(records, shown []string, show func(string) string) (bool, string) {
	if shown == nil {
		shown = records
	}
	text := strings.Join(records, "\n")
	got := "got " + show(quote(strings.Join(shown, "\n")))
	if len(records) == 0 {
		got = "no records"
	}
	switch cc.Op {
	case OpEqual:
		return slices.Contains(records, cc.Value), got
	case OpContains:
		return strings.Contains(text, cc.Value), got
	case OpNotContains:
		return !strings.Contains(text, cc.Value), got
	case OpMatches:
		return cc.re.MatchString(text), got
	case OpNotMatches:
		loc := cc.re.FindStringIndex(text)
		if loc == nil {
			return true, ""
		}
		return false, "matched " + show(quote(shownMatch(records, shown, loc[0], loc[1])))
	}
	return false, "unknown op"
}

// shownMatch is what a failure may quote of the match text[start:end], where text is
// records joined by newlines: the match itself, or, when it touches a record that
// shown masks, the shown form of every record it touches.
func shownMatch(records, shown []string, start, end int) string {
	var touched []string
	masked := false
	off := 0
	for i, rec := range records {
		if off <= end && start <= off+len(rec) {
			touched = append(touched, shown[i])
			masked = masked || shown[i] != rec
		}
		off += len(rec) + 1
	}
	if masked {
		return strings.Join(touched, "\n")
	}
	return strings.Join(records, "\n")[start:end]
}

func (cc compiledCondition) evalRcode(rcode string) (bool, string) {
	if rcode == "" {
		return false, "no dns answer"
	}
	if cc.Op == OpNotEqual {
		return rcode != cc.Value, "got " + rcode
	}
	return rcode == cc.Value, "got " + rcode
}

func (cc compiledCondition) evalPacketLoss(loss *float64) (bool, string) {
	if loss == nil {
		return false, "no echo requests sent"
	}
	ok := *loss < cc.loss || (cc.Op == OpLessEq && *loss == cc.loss)
	return ok, "lost " + strconv.FormatFloat(math.Round(*loss*10)/10, 'f', -1, 64) + "%"
}

func (cc compiledCondition) evalBody(body []byte, show func(string) string) (bool, string) {
	switch cc.Op {
	case OpContains:
		return bytes.Contains(body, []byte(cc.Value)), "not found"
	case OpNotContains:
		i := bytes.Index(body, []byte(cc.Value))
		return i < 0, fmt.Sprintf("found at byte %d", i)
	case OpMatches:
		return cc.re.Match(body), "no match"
	case OpNotMatches:
		m := cc.re.Find(body)
		return m == nil, "matched " + show(quote(string(m)))
	}
	return false, "unknown op"
}

func (cc compiledCondition) evalHeader(h map[string][]string, show func(string) string) (bool, string) {
	values, present := lookupHeader(h, cc.header)
	if cc.Op == OpNotExists {
		return !present, "got " + show(quote(values))
	}
	if !present {
		return false, "header missing"
	}
	got := "got " + show(quote(values))
	switch cc.Op {
	case OpExists:
		return true, ""
	case OpEqual:
		return values == cc.Value, got
	case OpNotEqual:
		return values != cc.Value, got
	case OpContains:
		return strings.Contains(values, cc.Value), got
	case OpMatches:
		return cc.re.MatchString(values), got
	}
	return false, "unknown op"
}

// lookupHeader finds name (in canonical form) in h, which holds canonical keys when it
// comes from net/http but may not otherwise, and joins several values as HTTP lists do.
func lookupHeader(h map[string][]string, name string) (string, bool) {
	if vs, ok := h[name]; ok {
		return strings.Join(vs, ", "), true
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			return strings.Join(vs, ", "), true
		}
	}
	return "", false
}

// lazyJSON decodes a body the first time a json condition asks for it, and only once
// however many ask.
type lazyJSON struct {
	data    []byte
	decoded bool
	value   any
	err     error
}

func (l *lazyJSON) get() (any, error) {
	if !l.decoded {
		l.decoded = true
		l.value, l.err = decodeJSON(l.data)
	}
	return l.value, l.err
}

// decodeJSON reads one JSON document. Numbers stay json.Number so that large integers
// compare as written and show as written.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

func (cc compiledCondition) evalJSON(body *lazyJSON, show func(string) string) (bool, string) {
	doc, err := body.get()
	switch {
	case len(body.data) == 0:
		return false, "body is empty, not JSON"
	case err != nil:
		return false, "body is not JSON"
	}
	nodes := cc.path.Select(doc)
	switch cc.Op {
	case OpExists:
		return len(nodes) > 0, "path matched nothing"
	case OpNotExists:
		return len(nodes) == 0, "got " + show(showNodes(nodes))
	}
	if len(nodes) == 0 {
		// A field that is not there neither equals nor differs from anything: passing
		// "$.status != down" on a body without a status would hide a broken answer.
		return false, "path matched nothing"
	}
	if cc.Op == OpNotEqual {
		var equal []any
		for _, n := range nodes {
			if cc.lit.equal(n) {
				equal = append(equal, n)
			}
		}
		return len(equal) == 0, "got " + show(showNodes(equal))
	}
	for _, n := range nodes {
		if cc.holds(n) {
			return true, ""
		}
	}
	return false, "got " + show(showNodes(nodes))
}

// holds reports whether one selected node meets the condition (any op but != and the
// existence ones, which look at all nodes together).
func (cc compiledCondition) holds(n any) bool {
	switch cc.Op {
	case OpEqual:
		return cc.lit.equal(n)
	case OpLess, OpLessEq, OpGreater, OpGreaterEq:
		cmp, ok := cc.lit.compare(n)
		if !ok {
			return false
		}
		switch cc.Op {
		case OpLess:
			return cmp < 0
		case OpLessEq:
			return cmp <= 0
		case OpGreater:
			return cmp > 0
		default:
			return cmp >= 0
		}
	case OpContains:
		s, ok := scalarText(n)
		return ok && strings.Contains(s, cc.lit.str)
	case OpMatches:
		s, ok := scalarText(n)
		return ok && cc.re.MatchString(s)
	}
	return false
}

// equal reports whether node n equals the literal: numbers by value, booleans and null
// by name, strings by text. Values of different kinds are never equal.
func (l literal) equal(n any) bool {
	switch n := n.(type) {
	case nil:
		return l.isNull
	case bool:
		return l.isBool && strconv.FormatBool(n) == l.str
	case json.Number:
		f, err := n.Float64()
		return err == nil && l.isNum && f == l.num
	case string:
		return n == l.str
	}
	return false
}

// compare orders node n against the literal (negative when n is less): numbers
// numerically, strings by bytes, so ISO dates and fixed-width versions order as
// expected. Other pairs cannot be ordered.
func (l literal) compare(n any) (int, bool) {
	switch n := n.(type) {
	case json.Number:
		f, err := n.Float64()
		if err != nil || !l.isNum {
			return 0, false
		}
		return cmpFloat(f, l.num), true
	case string:
		if !l.isNum {
			return strings.Compare(n, l.str), true
		}
		// A number written as a string ("42") against a number: order them as numbers,
		// since "100" < "99" as text is never what $.count > 99 means.
		f, err := strconv.ParseFloat(n, 64)
		if err != nil || math.IsNaN(f) {
			return 0, false
		}
		return cmpFloat(f, l.num), true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// scalarText is the text contains and matches look at: a string itself, or a number,
// boolean or null as written in JSON. Objects and arrays have none.
func scalarText(n any) (string, bool) {
	switch n := n.(type) {
	case nil:
		return "null", true
	case bool:
		return strconv.FormatBool(n), true
	case json.Number:
		return n.String(), true
	case string:
		return n, true
	}
	return "", false
}

// showNodes shows selected nodes as JSON, strings quoted, cut short when long.
func showNodes(nodes []any) string {
	parts := make([]string, 0, len(nodes))
	size := 0
	for _, n := range nodes {
		var s string
		if str, ok := n.(string); ok {
			s = quote(str)
		} else {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			// The text is shown, not embedded in HTML.
			enc.SetEscapeHTML(false)
			if err := enc.Encode(n); err != nil {
				s = "?"
			} else {
				s = Printable(strings.TrimSpace(b.String()), maxShown)
			}
		}
		if size+len(s) > maxShown && len(parts) > 0 {
			parts = append(parts, fmt.Sprintf("… (%d values)", len(nodes)))
			break
		}
		parts = append(parts, s)
		size += len(s) + 2
	}
	return strings.Join(parts, ", ")
}

// quote puts s in double quotes, cut to maxShown bytes, with control characters and
// invalid UTF-8 escaped, so text from a remote server reads safely on one line.
func quote(s string) string {
	t, cut := truncate(s, maxShown)
	q := strconv.Quote(t)
	if cut {
		q += "…"
	}
	return q
}

// Printable cuts s to at most n bytes, marking the cut with "…", and replaces control
// characters and invalid UTF-8, so the text stays on one line and PostgreSQL (which
// refuses NULs and invalid UTF-8 in text) can store it. Errors that quote the remote
// side (a server's status line, a certificate's names) go through it.
func Printable(s string, n int) string {
	t, cut := truncate(s, n)
	t = strings.ToValidUTF8(t, "\uFFFD")
	t = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, t)
	if cut {
		t += "…"
	}
	return t
}

// truncate cuts s to at most n bytes without splitting a character, and says whether it
// cut anything.
func truncate(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}

// withArticle puts "a" or "an" before a type's name, as it is read aloud ("an http",
// "an icmp", "a tcp").
func withArticle(name string) string {
	if name != "" && strings.ContainsRune("aeiouh", rune(name[0])) && name != "heartbeat" {
		return "an " + name
	}
	return "a " + name
}
