package target

import (
	"errors"
	"time"
)

// ErrIncidentNotFound is returned for an unknown incident.
var ErrIncidentNotFound = errors.New("incident not found")

// Incident kinds.
const (
	// IncidentDown is a target that failed FailureThreshold checks in a row.
	IncidentDown = "down"
	// IncidentWarmGap is a keep-warm target left without a successful request for
	// longer than its host's idle limit.
	IncidentWarmGap = "warm_gap"
	// IncidentCertExpiry is an https or tls target whose certificate expires within
	// its CertExpiryDays.
	IncidentCertExpiry = "cert_expiry"
)

// Incident is a period in which a target was down (or, for keep-warm, let go cold).
// It opens when the failure threshold is reached and resolves when the success
// threshold is.
type Incident struct {
	ID         int64
	TargetID   int64
	Kind       string
	StartedAt  time.Time
	ResolvedAt *time.Time
	// Cause says in words why it opened ("3 failed checks in a row").
	Cause      string
	FirstError string
	LastError  string
}

// IncidentFilter pages a list of incidents, newest first.
type IncidentFilter struct {
	// TargetID narrows the list to one target; 0 means every target.
	TargetID int64
	// TargetIDs, when not nil, narrows it to these targets.
	TargetIDs []int64
	// Since, when set, leaves out incidents resolved that started before it.
	Since time.Time
	// Open narrows the list to unresolved incidents.
	Open bool
	// Kinds, when not nil, narrows it to incidents of these kinds.
	Kinds  []string
	Limit  int
	Offset int
}
