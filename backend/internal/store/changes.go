package store

// The log lines of confirmed changes. A recording transaction notes each change of a
// target's confirmed status and each incident it opened or resolved; the caller logs
// them only once that transaction commits. Since the compare-and-set in transition
// lets exactly one replica make a given change, each change is logged once, by that
// replica — not once per replica, nor once per check.

import (
	"context"
	"log/slog"
)

// What happened to an incident.
const (
	incidentOpened   = "incident opened"
	incidentResolved = "incident resolved"
)

// change is one confirmed change, as its log line says it.
type change struct {
	msg      string
	targetID int64
	attrs    []slog.Attr
}

// changes collects a transaction's changes, in the order it made them.
type changes []change

// state notes a target's confirmed status moving from one status to another.
func (c *changes) state(targetID int64, from, to string) {
	*c = append(*c, change{msg: "target state changed", targetID: targetID,
		attrs: []slog.Attr{slog.String("from", from), slog.String("to", to)}})
}

// incident notes an incident opened or resolved.
func (c *changes) incident(what string, r incidentRow) {
	*c = append(*c, change{msg: what, targetID: r.TargetID,
		attrs: []slog.Attr{slog.Int64("incident_id", r.ID), slog.String("kind", r.Kind)}})
}

// log writes one line per change, at INFO even for a target going down: the
// change is the monitor working as meant, and WARN and ERROR stay for the monitor's
// own trouble (a database outage logs no warning about the targets it makes fail).
func (c changes) log(ctx context.Context, log *slog.Logger) {
	for _, ch := range c {
		log.LogAttrs(ctx, slog.LevelInfo, ch.msg, append([]slog.Attr{slog.Int64("target_id", ch.targetID)}, ch.attrs...)...)
	}
}
