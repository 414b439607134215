package store

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStatementsKeepBodiesWhole(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string
	}{
		{"plain", "CREATE TABLE a (x INT);\n-- a comment; with a semicolon\nCREATE INDEX b ON a (x);\n", []string{
			"CREATE TABLE a (x INT)", "CREATE INDEX b ON a (x)"}},
		{"postgres function", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    INSERT INTO a VALUES (1);\n    RETURN NULL;\nEND $$;\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH STATEMENT EXECUTE FUNCTION f();", []string{
			"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO a VALUES (1); RETURN NULL; END $$",
			"CREATE TRIGGER t AFTER INSERT ON a FOR EACH STATEMENT EXECUTE FUNCTION f()"}},
		{"sqlite trigger", "CREATE TRIGGER t AFTER UPDATE ON a\nBEGIN\n    INSERT INTO b VALUES (1);\n    INSERT INTO b VALUES (2);\nEND;\nDELETE FROM b;", []string{
			"CREATE TRIGGER t AFTER UPDATE ON a BEGIN INSERT INTO b VALUES (1); INSERT INTO b VALUES (2); END", "DELETE FROM b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := statements(tc.script)
			for i := range got {
				got[i] = strings.Join(strings.Fields(got[i]), " ")
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
