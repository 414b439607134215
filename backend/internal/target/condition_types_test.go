package target

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateTypedConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typ     Type
		cond    Condition
		field   string // empty when valid
		message string // checked when set
	}{
		{name: "cert_days >", typ: TypeHTTP, cond: Condition{Type: "cert_days", Op: ">", Value: "14"}},
		{name: "cert_days >= 0", typ: TypeTLS, cond: Condition{Type: "cert_days", Op: ">=", Value: "0"}},
		{name: "answer contains", typ: TypeDNS, cond: Condition{Type: "answer", Op: "contains", Value: "192.0.2.1"}},
		{name: "answer ==", typ: TypeDNS, cond: Condition{Type: "answer", Op: "==", Value: "10 mx.example.com."}},
		{name: "answer matches", typ: TypeDNS, cond: Condition{Type: "answer", Op: "matches", Value: `^192\.`}},
		{name: "answer not_contains", typ: TypeDNS, cond: Condition{Type: "answer", Op: "not_contains", Value: "10.0.0.1"}},
		{name: "answer not_matches", typ: TypeDNS, cond: Condition{Type: "answer", Op: "not_matches", Value: `^10\.`}},
		{name: "rcode ==", typ: TypeDNS, cond: Condition{Type: "rcode", Op: "==", Value: "NXDOMAIN"}},
		{name: "rcode !=", typ: TypeDNS, cond: Condition{Type: "rcode", Op: "!=", Value: "SERVFAIL"}},
		{name: "latency on dns", typ: TypeDNS, cond: Condition{Type: "latency", Op: "<", Value: "100"}},
		{name: "packet_loss <", typ: TypeICMP, cond: Condition{Type: "packet_loss", Op: "<", Value: "50"}},
		{name: "packet_loss <= fraction", typ: TypeICMP, cond: Condition{Type: "packet_loss", Op: "<=", Value: "33.4"}},
		{name: "latency on tcp", typ: TypeTCP, cond: Condition{Type: "latency", Op: "<", Value: "100"}},
		{name: "empty type is http", typ: "", cond: Condition{Type: "body", Op: "contains", Value: "ok"}},

		{name: "cert_days <", typ: TypeTLS, cond: Condition{Type: "cert_days", Op: "<", Value: "14"}, field: "op",
			message: "must be one of >, >= for a cert_days condition"},
		{name: "cert_days not a number", typ: TypeTLS, cond: Condition{Type: "cert_days", Op: ">", Value: "two weeks"}, field: "value",
			message: "must be whole days between 0 and 3650"},
		{name: "cert_days negative", typ: TypeTLS, cond: Condition{Type: "cert_days", Op: ">", Value: "-1"}, field: "value"},
		{name: "answer without value", typ: TypeDNS, cond: Condition{Type: "answer", Op: "==", Value: ""}, field: "value"},
		{name: "answer bad regexp", typ: TypeDNS, cond: Condition{Type: "answer", Op: "matches", Value: "("}, field: "value"},
		{name: "answer with a path", typ: TypeDNS, cond: Condition{Type: "answer", Path: "$.a", Op: "contains", Value: "x"}, field: "path"},
		{name: "rcode unknown", typ: TypeDNS, cond: Condition{Type: "rcode", Op: "==", Value: "NOPE"}, field: "value",
			message: "must be one of NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED"},
		{name: "rcode contains", typ: TypeDNS, cond: Condition{Type: "rcode", Op: "contains", Value: "NX"}, field: "op"},
		{name: "packet_loss over 100", typ: TypeICMP, cond: Condition{Type: "packet_loss", Op: "<", Value: "101"}, field: "value",
			message: "must be a percentage between 0 and 100"},
		{name: "packet_loss NaN", typ: TypeICMP, cond: Condition{Type: "packet_loss", Op: "<", Value: "NaN"}, field: "value"},
		{name: "packet_loss >", typ: TypeICMP, cond: Condition{Type: "packet_loss", Op: ">", Value: "5"}, field: "op"},

		{name: "body on tcp", typ: TypeTCP, cond: Condition{Type: "body", Op: "contains", Value: "x"}, field: "type",
			message: "is not a condition of a tcp target"},
		{name: "cert_days on tcp", typ: TypeTCP, cond: Condition{Type: "cert_days", Op: ">", Value: "3"}, field: "type"},
		{name: "answer on http", typ: TypeHTTP, cond: Condition{Type: "answer", Op: "contains", Value: "x"}, field: "type",
			message: "is not a condition of an http target"},
		{name: "answer on empty type", typ: "", cond: Condition{Type: "answer", Op: "contains", Value: "x"}, field: "type",
			message: "is not a condition of an http target"},
		{name: "packet_loss on dns", typ: TypeDNS, cond: Condition{Type: "packet_loss", Op: "<", Value: "5"}, field: "type"},
		{name: "rcode on icmp", typ: TypeICMP, cond: Condition{Type: "rcode", Op: "==", Value: "NOERROR"}, field: "type"},
		{name: "latency on heartbeat", typ: TypeHeartbeat, cond: Condition{Type: "latency", Op: "<", Value: "5"}, field: "type",
			message: "is not a condition of a heartbeat target"},
		{name: "header on tls", typ: TypeTLS, cond: Condition{Type: "header", Name: "Server", Op: "exists"}, field: "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v ValidationError
			validateConditions(&v, tt.typ, []Condition{tt.cond})
			_, compileErr := CompileConditionsFor(tt.typ, []Condition{tt.cond})
			if tt.field == "" {
				assert.Empty(t, v.Fields)
				assert.NoError(t, compileErr)
				return
			}
			require.NotEmpty(t, v.Fields)
			assert.Equal(t, "conditions[0]."+tt.field, v.Fields[0].Field)
			if tt.message != "" {
				assert.Equal(t, tt.message, v.Fields[0].Message)
			}
			require.Error(t, compileErr)
			assert.True(t, strings.HasPrefix(compileErr.Error(), "conditions[0]."+tt.field+": "), "compile error %q", compileErr)
		})
	}
}

func TestConditionAllowed(t *testing.T) {
	t.Parallel()
	want := map[Type][]string{
		TypeHTTP:      {"latency", "body", "json", "header", "cert_days"},
		TypeTCP:       {"latency"},
		TypeTLS:       {"latency", "cert_days"},
		TypeDNS:       {"answer", "rcode", "latency"},
		TypeICMP:      {"latency", "packet_loss"},
		TypeHeartbeat: {},
	}
	for _, typ := range Types {
		for _, kind := range ConditionTypes {
			allowed := false
			for _, k := range want[typ] {
				allowed = allowed || k == kind
			}
			assert.Equal(t, allowed, ConditionAllowed(typ, kind), "%s on %s", kind, typ)
		}
	}
	assert.True(t, ConditionAllowed("", "body"), "an empty type is http")
	assert.False(t, ConditionAllowed(TypeHTTP, "nope"))
}

func TestTypedConditionString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cond Condition
		want string
	}{
		{Condition{Type: "cert_days", Op: ">", Value: "14"}, "cert_days > 14"},
		{Condition{Type: "answer", Op: "contains", Value: "192.0.2.1"}, `answer contains "192.0.2.1"`},
		{Condition{Type: "rcode", Op: "==", Value: "NXDOMAIN"}, "rcode == NXDOMAIN"},
		{Condition{Type: "packet_loss", Op: "<", Value: "50"}, "packet_loss < 50"},
	} {
		assert.Equal(t, tt.want, tt.cond.String())
	}
}

func TestEvaluateTypedConditions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	in5 := now.Add(5 * 24 * time.Hour)
	expired := now.Add(-48 * time.Hour)
	in12h := now.Add(12 * time.Hour)
	loss := func(f float64) *float64 { return &f }
	records := []string{"192.0.2.1", "192.0.2.2"}
	cond := func(kind, op, value string) []Condition { return []Condition{{Type: kind, Op: op, Value: value}} }
	tests := []struct {
		name      string
		conds     []Condition
		answer    Answer
		want      []string
		transient bool
	}{
		{name: "cert_days > 3 on 5 days", conds: cond("cert_days", ">", "3"), answer: Answer{CertExpiresAt: &in5, Now: now}},
		{name: "cert_days > 14 on 5 days", conds: cond("cert_days", ">", "14"), answer: Answer{CertExpiresAt: &in5, Now: now},
			want: []string{"cert_days > 14 failed: expires in 5 days, on 2026-12-11"}},
		{name: "cert_days > 5 at exactly 5 days", conds: cond("cert_days", ">", "5"), answer: Answer{CertExpiresAt: &in5, Now: now},
			want: []string{"cert_days > 5 failed: expires in 5 days, on 2026-12-11"}},
		{name: "cert_days >= 5 at exactly 5 days", conds: cond("cert_days", ">=", "5"), answer: Answer{CertExpiresAt: &in5, Now: now}},
		{name: "cert_days > 0 expired", conds: cond("cert_days", ">", "0"), answer: Answer{CertExpiresAt: &expired, Now: now},
			want: []string{"cert_days > 0 failed: expired on 2026-12-04"}},
		{name: "cert_days > 1 within a day", conds: cond("cert_days", ">", "1"), answer: Answer{CertExpiresAt: &in12h, Now: now},
			want: []string{"cert_days > 1 failed: expires within a day, on 2026-12-07"}},
		{name: "cert_days without a certificate", conds: cond("cert_days", ">", "1"), answer: Answer{Now: now},
			want: []string{"cert_days > 1 failed: no certificate (the URL is plain http)"}},
		{name: "cert_days without a certificate, saying why", conds: cond("cert_days", ">", "1"),
			answer: Answer{NoCertReason: "the answer came over plain http after a redirect", Now: now},
			want:   []string{"cert_days > 1 failed: no certificate: the answer came over plain http after a redirect"}},

		{name: "answer == one record", conds: cond("answer", "==", "192.0.2.2"), answer: Answer{Records: records}},
		{name: "answer == a masked record is judged on the real one", conds: cond("answer", "==", "10.0.0.5"),
			answer: Answer{Records: []string{"10.0.0.5", "192.0.2.2"}, Shown: []string{"(refused address)", "192.0.2.2"}}},
		{name: "answer == quotes what is shown", conds: cond("answer", "==", "10.0.0.6"),
			answer: Answer{Records: []string{"10.0.0.5", "192.0.2.2"}, Shown: []string{"(refused address)", "192.0.2.2"}},
			want:   []string{`answer == "10.0.0.6" failed: got "(refused address)\n192.0.2.2"`}},
		{name: "answer not_matches a masked record quotes it masked", conds: cond("answer", "not_matches", `0\.5\n192`),
			answer: Answer{Records: []string{"10.0.0.5", "192.0.2.2"}, Shown: []string{"(refused address)", "192.0.2.2"}},
			want:   []string{`answer not_matches "0\\.5\\n192" failed: matched "(refused address)\n192.0.2.2"`}},
		{name: "answer not_matches an unmasked record quotes the match", conds: cond("answer", "not_matches", `2\.2$`),
			answer: Answer{Records: []string{"10.0.0.5", "192.0.2.2"}, Shown: []string{"(refused address)", "192.0.2.2"}},
			want:   []string{`answer not_matches "2\\.2$" failed: matched "2.2"`}},
		{name: "answer == the whole text is not one record", conds: cond("answer", "==", "192.0.2.1\n192.0.2.2"), answer: Answer{Records: records},
			want: []string{`answer == "192.0.2.1\n192.0.2.2" failed: got "192.0.2.1\n192.0.2.2"`}},
		{name: "answer contains across records", conds: cond("answer", "contains", "1\n192"), answer: Answer{Records: records}},
		{name: "answer contains missing", conds: cond("answer", "contains", "10.0.0.1"), answer: Answer{Records: records},
			want: []string{`answer contains "10.0.0.1" failed: got "192.0.2.1\n192.0.2.2"`}},
		{name: "answer not_contains", conds: cond("answer", "not_contains", "10.0.0.1"), answer: Answer{Records: records}},
		{name: "answer matches multiline", conds: cond("answer", "matches", `(?m)^192\.0\.2\.2$`), answer: Answer{Records: records}},
		{name: "answer not_matches matched", conds: cond("answer", "not_matches", `192\.0\.2\.\d`), answer: Answer{Records: records},
			want: []string{`answer not_matches "192\\.0\\.2\\.\\d" failed: matched "192.0.2.1"`}},
		{name: "answer on no records", conds: cond("answer", "contains", "x"), answer: Answer{},
			want: []string{`answer contains "x" failed: no records`}},
		{name: "answer from a private resolver is not quoted", conds: cond("answer", "contains", "x"), answer: Answer{Records: records, Private: true},
			want: []string{`answer contains "x" failed: got a value not shown (private host)`}},

		{name: "rcode == NXDOMAIN", conds: cond("rcode", "==", "NXDOMAIN"), answer: Answer{Rcode: "NXDOMAIN"}},
		{name: "rcode == NOERROR on NXDOMAIN", conds: cond("rcode", "==", "NOERROR"), answer: Answer{Rcode: "NXDOMAIN"},
			want: []string{"rcode == NOERROR failed: got NXDOMAIN"}},
		{name: "rcode != SERVFAIL", conds: cond("rcode", "!=", "SERVFAIL"), answer: Answer{Rcode: "NOERROR"}},
		{name: "rcode != SERVFAIL on SERVFAIL", conds: cond("rcode", "!=", "SERVFAIL"), answer: Answer{Rcode: "SERVFAIL"},
			want: []string{"rcode != SERVFAIL failed: got SERVFAIL"}},

		{name: "packet_loss < 50 at 0", conds: cond("packet_loss", "<", "50"), answer: Answer{PacketLoss: loss(0)}},
		{name: "packet_loss < 50 at a third", conds: cond("packet_loss", "<", "30"), answer: Answer{PacketLoss: loss(100.0 / 3)},
			want: []string{"packet_loss < 30 failed: lost 33.3%"}, transient: true},
		{name: "packet_loss <= 0 at 0", conds: cond("packet_loss", "<=", "0"), answer: Answer{PacketLoss: loss(0)}},
		{name: "packet_loss < 0 at 0", conds: cond("packet_loss", "<", "0"), answer: Answer{PacketLoss: loss(0)},
			want: []string{"packet_loss < 0 failed: lost 0%"}, transient: true},
		{name: "packet_loss and latency both transient", conds: []Condition{
			{Type: "packet_loss", Op: "<", Value: "10"}, {Type: "latency", Op: "<", Value: "5"}},
			answer: Answer{PacketLoss: loss(50), Latency: 10 * time.Millisecond},
			want:   []string{"packet_loss < 10 failed: lost 50%", "latency_ms < 5 failed: took 10 ms"}, transient: true},
		{name: "a certificate failure is not transient", conds: []Condition{
			{Type: "cert_days", Op: ">", Value: "14"}, {Type: "latency", Op: "<", Value: "5"}},
			answer: Answer{CertExpiresAt: &in5, Now: now, Latency: 10 * time.Millisecond},
			want:   []string{"cert_days > 14 failed: expires in 5 days, on 2026-12-11", "latency_ms < 5 failed: took 10 ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := CompileConditions(tt.conds)
			require.NoError(t, err)
			failures, transient := c.Evaluate(tt.answer)
			assert.Equal(t, tt.want, failures)
			assert.Equal(t, tt.transient, transient)
		})
	}
}

func TestConditionsHas(t *testing.T) {
	t.Parallel()
	c, err := CompileConditions([]Condition{{Type: "rcode", Op: "==", Value: "NXDOMAIN"}})
	require.NoError(t, err)
	assert.True(t, c.Has(ConditionRcode))
	assert.False(t, c.Has(ConditionAnswer))
}
