package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
)

// logAttr is the one place log values are shaped for every handler: a duration is
// written as text ("1.5s"). The JSON handler would otherwise write it as an integer
// of nanoseconds, which nobody reading a log or writing a query expects; call sites
// that want a number log an integer of milliseconds under a key ending in _ms.
func logAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// logFormatOf is LOG_FORMAT as the command line or environment give it, for an error
// met before the configuration is loaded (or when it fails to load): the last
// -LOG_FORMAT flag, else the variable. Anything but "json" is text.
func logFormatOf(args []string, getenv func(string) string) string {
	format := getenv("LOG_FORMAT")
	for i, arg := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || name != "LOG_FORMAT" {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				break
			}
			value = args[i+1]
		}
		format = value
	}
	return format
}

// reportError writes the error that ended the command to w (standard error): in JSON
// mode as one log object, like every other line, so a log pipeline reading the
// stream never meets a line it cannot parse; otherwise as plain text.
func reportError(w io.Writer, format string, err error) {
	if format != "json" {
		_, _ = io.WriteString(w, "watchdog: "+err.Error()+"\n")
		return
	}
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: logAttr}))
	log.LogAttrs(context.Background(), slog.LevelError, "watchdog: exiting", slog.String("err", err.Error()))
}
