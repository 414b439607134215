package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/config"
)

func TestRunHelpAndBadInput(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"help"}, func(string) string { return "" }, &out))
	assert.Contains(t, out.String(), "usage: watchdog")

	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out)
	assert.ErrorContains(t, err, `unknown command "frobnicate"`)

	err = run(context.Background(), nil, func(k string) string {
		if k == "JWT_SECRET" {
			return "short"
		}
		return ""
	}, &out)
	assert.ErrorContains(t, err, "JWT_SECRET must be at least 32 bytes")
}

func TestJSONLogs(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(config.Config{LogFormat: "json", LogLevel: "info"}, &out)
	log.Info("hello", "n", 1)
	log.Debug("hidden")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 1, "debug is below the level")
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &entry))
	assert.Equal(t, "hello", entry["msg"])
	assert.Equal(t, "INFO", entry["level"])
}
