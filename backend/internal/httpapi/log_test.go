package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
)

// Echo's own logger writes through slog, so a JSON log has no line of another shape.
func TestEchoLoggerWritesThroughSlog(t *testing.T) {
	var out bytes.Buffer
	e := httpapi.New(httpapi.Deps{Log: slog.New(slog.NewJSONHandler(&out, nil))})
	e.Logger.Error("something echo says")
	var line map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &line), out.String())
	assert.Equal(t, "ERROR", line["level"])
	assert.Equal(t, "echo", line["msg"])
	assert.Equal(t, "something echo says", line["detail"])
}
