package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// targetRow is a row of the targets table.
type targetRow struct {
	ID                 int64
	Name               string
	URL                string `gorm:"column:url"`
	Method             string
	Headers            string
	IntervalSeconds    int
	TimeoutSeconds     int
	ExpectedStatus     string
	Retries            int
	RetryDelaySeconds  int
	LeaseSeconds       int
	IsActive           bool
	LastStatus         string
	LastCheckedAt      *time.Time
	LastLatencyMS      *int `gorm:"column:last_latency_ms"`
	LastStatusCode     *int
	LastError          string
	MedianLatencyMS    *int `gorm:"column:median_latency_ms"`
	NextCheckAt        *time.Time
	SlotAt             *time.Time
	LeaseToken         *string
	FailureThreshold   int
	SuccessThreshold   int
	Conditions         string
	OpenIncidentID     *int64
	KeepWarm           bool
	Platform           string
	IdleTimeoutSeconds *int
	WakeTimeoutSeconds int
	WarmWindows        string
	Timezone           string
	BudgetGroup        string
	LastSuccessAt      *time.Time
	WarmSince          *time.Time
	WarmGapBreaches    int
	Type               string
	CertExpiryDays     int
	TLSCAPEM           string `gorm:"column:tls_ca_pem"`
	TLSClientCertPEM   string `gorm:"column:tls_client_cert_pem"`
	TLSClientKeyPEM    string `gorm:"column:tls_client_key_pem"`
	TLSSkipVerify      bool   `gorm:"column:tls_skip_verify"`
	Impersonate        string
	PeriodSeconds      int
	GraceSeconds       int
	Cron               string
	PingToken          *string
	LastPingAt         *time.Time
	RunStartedAt       *time.Time
	CertExpiresAt      *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (targetRow) TableName() string { return "targets" }

type tagRow struct {
	TargetID int64
	Tag      string
}

func (tagRow) TableName() string { return "target_tags" }

type targetChannelRow struct {
	TargetID  int64
	ChannelID int64
}

func (targetChannelRow) TableName() string { return "target_channels" }

// links are a target's tags and channels, read beside its row.
type links struct {
	tags     []string
	channels []int64
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r targetRow) toDomain(l links) (target.Target, error) {
	headers := map[string]string{}
	if err := json.Unmarshal([]byte(r.Headers), &headers); err != nil {
		return target.Target{}, fmt.Errorf("target %d: read headers: %w", r.ID, err)
	}
	conditions := []target.Condition{}
	if r.Conditions != "" {
		if err := json.Unmarshal([]byte(r.Conditions), &conditions); err != nil {
			return target.Target{}, fmt.Errorf("target %d: read conditions: %w", r.ID, err)
		}
	}
	windows := []target.WarmWindow{}
	if r.WarmWindows != "" {
		if err := json.Unmarshal([]byte(r.WarmWindows), &windows); err != nil {
			return target.Target{}, fmt.Errorf("target %d: read warm windows: %w", r.ID, err)
		}
	}
	idle := 0
	if r.IdleTimeoutSeconds != nil {
		idle = *r.IdleTimeoutSeconds
	}
	tags := l.tags
	if tags == nil {
		tags = []string{}
	}
	channels := l.channels
	if channels == nil {
		channels = []int64{}
	}
	next := r.NextCheckAt
	if r.LeaseToken != nil {
		// While a check runs, next_check_at holds the lease's end; the slot being
		// checked is what a reader means by "next check".
		next = r.SlotAt
	}
	if !r.IsActive {
		next = nil
	}
	return target.Target{
		ID:                 r.ID,
		Name:               r.Name,
		URL:                r.URL,
		Method:             r.Method,
		Headers:            headers,
		IntervalSeconds:    r.IntervalSeconds,
		TimeoutSeconds:     r.TimeoutSeconds,
		ExpectedStatus:     r.ExpectedStatus,
		Retries:            r.Retries,
		RetryDelaySeconds:  r.RetryDelaySeconds,
		IsActive:           r.IsActive,
		Tags:               tags,
		FailureThreshold:   r.FailureThreshold,
		SuccessThreshold:   r.SuccessThreshold,
		Conditions:         conditions,
		ChannelIDs:         channels,
		KeepWarm:           r.KeepWarm,
		Platform:           r.Platform,
		IdleTimeoutSeconds: idle,
		WakeTimeoutSeconds: r.WakeTimeoutSeconds,
		WarmWindows:        windows,
		Timezone:           r.Timezone,
		BudgetGroup:        r.BudgetGroup,
		LastSuccessAt:      utc(r.LastSuccessAt),
		WarmSince:          utc(r.WarmSince),
		WarmGapBreaches:    r.WarmGapBreaches,
		Type:               target.Type(r.Type),
		CertExpiryDays:     r.CertExpiryDays,
		TLSCAPEM:           r.TLSCAPEM,
		TLSClientCertPEM:   r.TLSClientCertPEM,
		TLSClientKeyPEM:    r.TLSClientKeyPEM,
		TLSSkipVerify:      r.TLSSkipVerify,
		Impersonate:        target.Impersonation(r.Impersonate),
		PeriodSeconds:      r.PeriodSeconds,
		GraceSeconds:       r.GraceSeconds,
		Cron:               r.Cron,
		PingToken:          deref(r.PingToken),
		LastPingAt:         utc(r.LastPingAt),
		RunStartedAt:       utc(r.RunStartedAt),
		CertExpiresAt:      utc(r.CertExpiresAt),
		LastStatus:         target.Status(r.LastStatus),
		LastCheckedAt:      utc(r.LastCheckedAt),
		LastLatencyMS:      r.LastLatencyMS,
		LastStatusCode:     r.LastStatusCode,
		LastError:          r.LastError,
		MedianLatencyMS:    r.MedianLatencyMS,
		NextCheckAt:        utc(next),
		CreatedAt:          r.CreatedAt.UTC(),
		UpdatedAt:          r.UpdatedAt.UTC(),
	}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pingToken is the ping_token column of t: NULL unless it is a heartbeat, so the
// unique index holds only real tokens.
func pingToken(t target.Target) *string {
	if t.Type != target.TypeHeartbeat || t.PingToken == "" {
		return nil
	}
	return &t.PingToken
}

// configColumns are the columns a client may change; the rest belong to the scheduler.
func configColumns(t target.Target) (map[string]any, error) {
	headers, err := json.Marshal(t.Headers)
	if err != nil {
		return nil, fmt.Errorf("encode headers: %w", err)
	}
	conditions, err := json.Marshal(t.Conditions)
	if err != nil {
		return nil, fmt.Errorf("encode conditions: %w", err)
	}
	windows, err := json.Marshal(t.WarmWindows)
	if err != nil {
		return nil, fmt.Errorf("encode warm windows: %w", err)
	}
	var idle *int
	if t.IdleTimeoutSeconds > 0 {
		idle = &t.IdleTimeoutSeconds
	}
	return map[string]any{
		"type":                 string(t.Type),
		"cert_expiry_days":     t.CertExpiryDays,
		"tls_ca_pem":           t.TLSCAPEM,
		"tls_client_cert_pem":  t.TLSClientCertPEM,
		"tls_client_key_pem":   t.TLSClientKeyPEM,
		"tls_skip_verify":      t.TLSSkipVerify,
		"impersonate":          string(t.Impersonate),
		"period_seconds":       t.PeriodSeconds,
		"grace_seconds":        t.GraceSeconds,
		"cron":                 t.Cron,
		"ping_token":           pingToken(t),
		"keep_warm":            t.KeepWarm,
		"platform":             t.Platform,
		"idle_timeout_seconds": idle,
		"wake_timeout_seconds": t.WakeTimeoutSeconds,
		"warm_windows":         string(windows),
		"timezone":             t.Timezone,
		"budget_group":         t.BudgetGroup,
		"failure_threshold":    t.FailureThreshold,
		"success_threshold":    t.SuccessThreshold,
		"conditions":           string(conditions),
		"name":                 t.Name,
		"url":                  t.URL,
		"method":               t.Method,
		"headers":              string(headers),
		"interval_seconds":     t.IntervalSeconds,
		"timeout_seconds":      t.TimeoutSeconds,
		"expected_status":      t.ExpectedStatus,
		"retries":              t.Retries,
		"retry_delay_seconds":  t.RetryDelaySeconds,
		"lease_seconds":        int(t.Lease().Round(time.Second) / time.Second),
		"is_active":            t.IsActive,
	}, nil
}

// CreateTarget stores a new, validated target. An active target is due at once, so
// a user sees its first result within seconds.
func (s *Store) CreateTarget(ctx context.Context, t target.Target) (target.Target, error) {
	created, err := s.CreateTargets(ctx, []target.Target{t})
	if err != nil {
		return target.Target{}, err
	}
	return created[0], nil
}

// createBatch bounds one multi-row insert, well under either database's limit on
// bound parameters.
const createBatch = 500

// CreateTargets stores many validated targets, a few hundred to a statement, in one
// transaction: an import of a hundred thousand takes seconds, not minutes. All are due
// at once; the scheduler spreads a backlog larger than it can take in one go.
//
// Names are unique, case-insensitively (a unique index says so, so replicas agree): a
// given name that is taken is target.ErrNameTaken; a name left out (DefaultName) gets
// the first free " (2)", " (3)", ... suffix. Finding that suffix and inserting happen in
// one transaction that holds defaultNameLock on PostgreSQL (SQLite's one writer already
// excludes the others), so replicas naming targets on one host at once take turns
// instead of all picking the same suffix. A given name inserted meanwhile can still
// take the suffix; the insert then fails on the index and is tried again.
func (s *Store) CreateTargets(ctx context.Context, ts []target.Target) ([]target.Target, error) {
	const attempts = 5
	defaulted := slices.ContainsFunc(ts, func(t target.Target) bool { return t.DefaultName })
	for attempt := 1; ; attempt++ {
		var out []target.Target
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			named := ts
			if defaulted {
				if err := s.sql().advisoryLock(tx, defaultNameLock); err != nil {
					return fmt.Errorf("lock default names: %w", err)
				}
				var err error
				if named, err = freeDefaultNames(tx, ts); err != nil {
					return err
				}
			}
			var err error
			out, err = insertTargets(tx, named)
			return err
		})
		s.memos.invalidate()
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			if defaulted && attempt < attempts {
				continue
			}
			return nil, fmt.Errorf("create %d targets: %w", len(ts), target.ErrNameTaken)
		}
		if err != nil {
			return nil, fmt.Errorf("create %d targets: %w", len(ts), err)
		}
		return out, nil
	}
}

// defaultNameLock is the advisory lock key held while a default name is chosen and
// inserted.
const defaultNameLock = 0x77640003

// freeDefaultNames gives each target whose name was left out the first of its name,
// "name (2)", "name (3)", ... that neither the database nor another target of ts has.
func freeDefaultNames(tx *gorm.DB, ts []target.Target) ([]target.Target, error) {
	taken := map[string]bool{}
	for _, t := range ts {
		if !t.DefaultName {
			taken[strings.ToLower(t.Name)] = true
		}
	}
	out := slices.Clone(ts)
	for i, t := range out {
		if !t.DefaultName {
			continue
		}
		prefix := t.Name + " ("
		var names []string
		err := tx.Model(&targetRow{}).
			Where("lower(name) = lower(?) OR substr(lower(name), 1, ?) = lower(?)", t.Name, utf8.RuneCountInString(prefix), prefix).
			Pluck("name", &names).Error
		if err != nil {
			return nil, fmt.Errorf("read names like %q: %w", t.Name, err)
		}
		for _, n := range names {
			taken[strings.ToLower(n)] = true
		}
		name := t.Name
		for k := 2; taken[strings.ToLower(name)]; k++ {
			name = fmt.Sprintf("%s (%d)", t.Name, k)
		}
		taken[strings.ToLower(name)] = true
		out[i].Name = name
	}
	return out, nil
}

// firstCheck is when a new target is first due: at once, so a user sees a result
// within seconds, except a heartbeat, which has no deadline until its first ping.
func firstCheck(t target.Target, now time.Time) *time.Time {
	if t.Type == target.TypeHeartbeat {
		return nil
	}
	return &now
}

// insertTargets writes validated targets with their tags and channels in tx.
func insertTargets(tx *gorm.DB, ts []target.Target) ([]target.Target, error) {
	now := dbTime(time.Now())
	rows := make([]targetRow, len(ts))
	for i, t := range ts {
		cols, err := configColumns(t)
		if err != nil {
			return nil, err
		}
		rows[i] = targetRow{
			Name: t.Name, URL: t.URL, Method: t.Method, Headers: cols["headers"].(string),
			IntervalSeconds: t.IntervalSeconds, TimeoutSeconds: t.TimeoutSeconds,
			ExpectedStatus: t.ExpectedStatus, Retries: t.Retries, RetryDelaySeconds: t.RetryDelaySeconds,
			LeaseSeconds: cols["lease_seconds"].(int), IsActive: t.IsActive,
			FailureThreshold: t.FailureThreshold, SuccessThreshold: t.SuccessThreshold,
			Conditions: cols["conditions"].(string),
			KeepWarm:   t.KeepWarm, Platform: t.Platform, IdleTimeoutSeconds: cols["idle_timeout_seconds"].(*int),
			WakeTimeoutSeconds: t.WakeTimeoutSeconds, WarmWindows: cols["warm_windows"].(string),
			Timezone: t.Timezone, BudgetGroup: t.BudgetGroup, WarmSince: warmSince(t, now),
			Type: string(t.Type), CertExpiryDays: t.CertExpiryDays, TLSCAPEM: t.TLSCAPEM,
			TLSClientCertPEM: t.TLSClientCertPEM, TLSClientKeyPEM: t.TLSClientKeyPEM,
			TLSSkipVerify: t.TLSSkipVerify, Impersonate: string(t.Impersonate), PeriodSeconds: t.PeriodSeconds,
			GraceSeconds: t.GraceSeconds, Cron: t.Cron, PingToken: cols["ping_token"].(*string),
			LastStatus: string(target.StatusUnknown), NextCheckAt: firstCheck(t, now),
			CreatedAt: now, UpdatedAt: now,
		}
	}
	err := tx.Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(&rows, createBatch).Error; err != nil {
			return err
		}
		var tags []tagRow
		var channels []targetChannelRow
		for i, t := range ts {
			for _, tag := range t.Tags {
				tags = append(tags, tagRow{TargetID: rows[i].ID, Tag: tag})
			}
			for _, id := range t.ChannelIDs {
				channels = append(channels, targetChannelRow{TargetID: rows[i].ID, ChannelID: id})
			}
		}
		if len(tags) > 0 {
			if err := tx.CreateInBatches(&tags, createBatch).Error; err != nil {
				return err
			}
		}
		if len(channels) > 0 {
			if err := tx.CreateInBatches(&channels, createBatch).Error; err != nil {
				return unknownChannel(err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]target.Target, len(rows))
	for i, r := range rows {
		if out[i], err = r.toDomain(links{tags: ts[i].Tags, channels: ts[i].ChannelIDs}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func replaceTags(tx *gorm.DB, id int64, tags []string) error {
	if err := tx.Where("target_id = ?", id).Delete(&tagRow{}).Error; err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	if len(tags) == 0 {
		return nil
	}
	rows := make([]tagRow, len(tags))
	for i, tag := range tags {
		rows[i] = tagRow{TargetID: id, Tag: tag}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("write tags: %w", err)
	}
	return nil
}

// GetTarget reads one target.
func (s *Store) GetTarget(ctx context.Context, id int64) (target.Target, error) {
	var row targetRow
	if err := s.reads.WithContext(ctx).First(&row, id).Error; err != nil {
		return target.Target{}, fmt.Errorf("get target %d: %w", id, notFound(err, target.ErrNotFound))
	}
	l, err := s.linksOf(ctx, []int64{id})
	if err != nil {
		return target.Target{}, err
	}
	return row.toDomain(l[id])
}

// linksOf reads the tags and channels of the given targets.
func (s *Store) linksOf(ctx context.Context, ids []int64) (map[int64]links, error) {
	out := make(map[int64]links, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var tags []tagRow
	if err := s.reads.WithContext(ctx).Where("target_id IN ?", ids).Order("tag").Find(&tags).Error; err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	for _, r := range tags {
		l := out[r.TargetID]
		l.tags = append(l.tags, r.Tag)
		out[r.TargetID] = l
	}
	var channels []targetChannelRow
	if err := s.reads.WithContext(ctx).Where("target_id IN ?", ids).Order("channel_id").Find(&channels).Error; err != nil {
		return nil, fmt.Errorf("read channels: %w", err)
	}
	for _, r := range channels {
		l := out[r.TargetID]
		l.channels = append(l.channels, r.ChannelID)
		out[r.TargetID] = l
	}
	return out, nil
}

func replaceChannels(tx *gorm.DB, id int64, channels []int64) error {
	if err := tx.Where("target_id = ?", id).Delete(&targetChannelRow{}).Error; err != nil {
		return fmt.Errorf("clear channels: %w", err)
	}
	if len(channels) == 0 {
		return nil
	}
	rows := make([]targetChannelRow, len(channels))
	for i, c := range channels {
		rows[i] = targetChannelRow{TargetID: id, ChannelID: c}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("write channels: %w", unknownChannel(err))
	}
	return nil
}

// heartbeatSchedule sets the schedule columns of an update that makes, keeps or
// unmakes a heartbeat. A heartbeat resumed, or a target turned into one, waits for a
// ping again (no deadline); a pinged heartbeat whose period, grace, cron or zone
// changes gets the new schedule's deadline counted from now, so tightening it never
// fails a job at once for a ping it could not know it owed; a heartbeat turned into a
// checked type is due at once.
func heartbeatSchedule(cols map[string]any, before, after target.Target, now time.Time) {
	unlease := func() {
		cols["lease_token"] = nil
		cols["slot_at"] = nil
	}
	switch {
	case after.Type != target.TypeHeartbeat:
		cols["next_check_at"] = now
		cols["run_started_at"] = nil
		unlease()
	case before.Type != target.TypeHeartbeat:
		// Made a heartbeat: what the old checks said is not news about the job. It
		// starts unknown and waits for its first ping (a check still running for the
		// old type is dropped, see heldOnly), and its open outage ends in endOutage.
		cols["next_check_at"] = nil
		cols["run_started_at"] = nil
		unlease()
		cols["last_status"] = string(target.StatusUnknown)
		cols["consecutive_failures"] = 0
		cols["consecutive_successes"] = 0
		cols["streak_started_at"] = nil
	case after.IsActive && !before.IsActive:
		cols["next_check_at"] = nil
		cols["run_started_at"] = nil
		unlease()
	case after.PeriodSeconds != before.PeriodSeconds || after.GraceSeconds != before.GraceSeconds ||
		after.Cron != before.Cron || after.Timezone != before.Timezone:
		// Only an armed heartbeat (one pinged, with a deadline) gets a new deadline.
		// (THEN next_check_at, not THEN NULL: PostgreSQL types the parameter from it.)
		cols["next_check_at"] = gorm.Expr("CASE WHEN next_check_at IS NULL THEN next_check_at ELSE ? END",
			after.HeartbeatDeadline(now))
		unlease()
	}
	if after.IsActive && !before.IsActive {
		// As for any target: failures from before the pause do not carry over.
		cols["consecutive_failures"] = 0
		cols["consecutive_successes"] = 0
		cols["streak_started_at"] = nil
	}
}

// UpdateTarget writes a changed, validated target. Resuming a paused target makes it
// due at once; shortening the interval brings its next check forward.
func (s *Store) UpdateTarget(ctx context.Context, before, after target.Target) (target.Target, error) {
	cols, err := configColumns(after)
	if err != nil {
		return target.Target{}, err
	}
	now := dbTime(time.Now())
	cols["updated_at"] = now
	if after.KeepWarm && (!before.KeepWarm || (after.IsActive && !before.IsActive)) {
		// The warm-gap clock starts now, not at the last success before a pause.
		cols["warm_since"] = now
	}
	switch {
	case after.Type == target.TypeHeartbeat || before.Type == target.TypeHeartbeat:
		heartbeatSchedule(cols, before, after, now)
	case after.IsActive && !before.IsActive:
		cols["next_check_at"] = now
		cols["lease_token"] = nil
		cols["slot_at"] = nil
		// A run of failures from before the pause does not carry over: an incident
		// opened after resuming starts after resuming.
		cols["consecutive_failures"] = 0
		cols["consecutive_successes"] = 0
		cols["streak_started_at"] = nil
	case after.IntervalSeconds < before.IntervalSeconds:
		soon := now.Add(after.Interval())
		cols["next_check_at"] = gorm.Expr("CASE WHEN next_check_at > ? THEN ? ELSE next_check_at END", soon, soon)
		// A check running now would reschedule by the old interval: let it record its
		// result but leave the schedule to the new one.
		cols["lease_token"] = nil
		cols["slot_at"] = nil
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&targetRow{}).Where("id = ?", before.ID).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return target.ErrNotFound
		}
		if err := replaceTags(tx, before.ID, after.Tags); err != nil {
			return err
		}
		if err := endCertWatch(tx, before, after, now); err != nil {
			return err
		}
		if err := endOutage(tx, before, after, now); err != nil {
			return err
		}
		return replaceChannels(tx, before.ID, after.ChannelIDs)
	})
	s.memos.invalidate()
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = target.ErrNameTaken
	}
	if err != nil {
		return target.Target{}, fmt.Errorf("update target %d: %w", before.ID, err)
	}
	return s.GetTarget(ctx, before.ID)
}

// endCertWatch ends what a target's certificate warning knew when an update ends it
// (target.CertWatchEnds): the open cert_expiry incident is resolved without a message,
// as no renewed certificate was seen, and a date that belongs to another address
// (or to no certificate at all) is forgotten, so a list sorted by expiry does not show it.
func endCertWatch(tx *gorm.DB, before, after target.Target, now time.Time) error {
	ends, forget := target.CertWatchEnds(before, after)
	if !ends {
		return nil
	}
	if err := tx.Model(&incidentRow{}).Where("target_id = ? AND kind = ? AND resolved_at IS NULL", before.ID, target.IncidentCertExpiry).
		Update("resolved_at", now).Error; err != nil {
		return fmt.Errorf("resolve the certificate warning: %w", err)
	}
	if forget {
		if err := tx.Model(&targetRow{}).Where("id = ?", before.ID).Update("cert_expires_at", nil).Error; err != nil {
			return fmt.Errorf("forget the certificate date: %w", err)
		}
	}
	return nil
}

// endOutage resolves, without a message, the open down incident of a target made a
// heartbeat: the outage was the old URL's, and the heartbeat starts unknown. No
// "recovered" is sent, as nothing recovered.
func endOutage(tx *gorm.DB, before, after target.Target, now time.Time) error {
	if before.Type == target.TypeHeartbeat || after.Type != target.TypeHeartbeat {
		return nil
	}
	if err := tx.Model(&incidentRow{}).Where("target_id = ? AND kind = ? AND resolved_at IS NULL", before.ID, target.IncidentDown).
		Update("resolved_at", now).Error; err != nil {
		return fmt.Errorf("resolve the outage: %w", err)
	}
	return nil
}

// DeleteTarget removes a target with its checks and tags.
func (s *Store) DeleteTarget(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Delete(&targetRow{}, id)
	s.memos.invalidate()
	if res.Error != nil {
		return fmt.Errorf("delete target %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete target %d: %w", id, target.ErrNotFound)
	}
	return nil
}

// ListTargets returns one page of the targets matching f, in f's order, and how many
// match in all. A page is reused for up to a second (see memoTTL).
func (s *Store) ListTargets(ctx context.Context, f target.ListFilter) ([]target.Target, int, error) {
	p, err := s.memos.pages.get(ctx, f, func(ctx context.Context) (page, error) {
		items, total, err := s.listTargets(ctx, f)
		return page{items: items, total: total}, err
	})
	return p.items, p.total, err
}

func (s *Store) listTargets(ctx context.Context, f target.ListFilter) ([]target.Target, int, error) {
	q := s.reads.WithContext(ctx).Model(&targetRow{})
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("(lower(name) LIKE ? ESCAPE '\\' OR lower(url) LIKE ? ESCAPE '\\')", like, like)
	}
	switch f.Status {
	case "":
	case target.FilterPaused:
		q = q.Where("NOT is_active")
	case target.FilterActive:
		q = q.Where("is_active")
	default:
		q = q.Where("is_active AND last_status = ?", f.Status)
	}
	if f.Tag != "" {
		q = q.Where("id IN (SELECT target_id FROM target_tags WHERE tag = ?)", f.Tag)
	}
	// The total of an unfiltered or state-filtered page comes from the counts the
	// triggers keep; a search or a tag is counted (the tag through its index).
	var total int64
	counted := false
	if f.Query == "" && f.Tag == "" {
		totals, err := s.countTotals(ctx)
		if err != nil {
			return nil, 0, err
		}
		var n int
		if n, counted = countFor(totals, f.Status); counted {
			total = int64(n)
		}
	}
	if !counted {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("count targets: %w", err)
		}
	}
	var rows []targetRow
	if err := q.Order(orderBy(f.Sort)).Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list targets: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	l, err := s.linksOf(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]target.Target, 0, len(rows))
	for _, r := range rows {
		t, err := r.toDomain(l[r.ID])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, int(total), nil
}

// orders maps each sort to its ORDER BY: only these strings ever reach the SQL. Ties
// fall back to name, then id, so paging is stable. Status puts trouble first: down,
// then unknown, then up, then paused.
var orders = map[string]string{
	"name":     "lower(name), id",
	"-name":    "lower(name) DESC, id DESC",
	"status":   statusRank + ", lower(name), id",
	"-status":  statusRank + " DESC, lower(name), id",
	"latency":  "last_latency_ms ASC NULLS LAST, lower(name), id",
	"-latency": "last_latency_ms DESC NULLS LAST, lower(name), id",
	// Soonest first; targets with no certificate seen come last either way.
	"cert_expiry":  "cert_expires_at ASC NULLS LAST, lower(name), id",
	"-cert_expiry": "cert_expires_at DESC NULLS LAST, lower(name), id",
	"checked":      "last_checked_at ASC NULLS LAST, lower(name), id",
	"-checked":     "last_checked_at DESC NULLS LAST, lower(name), id",
}

const statusRank = "CASE WHEN NOT is_active THEN 3 WHEN last_status = 'down' THEN 0 WHEN last_status = 'unknown' THEN 1 ELSE 2 END"

func orderBy(sort string) string {
	if o, ok := orders[sort]; ok {
		return o
	}
	return orders["name"]
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Totals counts targets by state (reused for up to a second, see memoTTL).
func (s *Store) Totals(ctx context.Context) (target.Totals, error) {
	return s.memos.totals.get(ctx, struct{}{}, s.countTotals)
}

// foldAfter is how many appended count rows are left before they are folded into one
// per state: a few hundred rows are summed in well under a millisecond, and folding
// more often would only add writes.
const foldAfter = 256

// countTotals sums the counts the triggers keep (migration 0009): a few rows per
// state, however many targets there are. Every replica reads the same committed rows,
// so the counts are right on all of them as soon as a change commits. When many
// changes have piled up (a fleet's first checks, an import), it folds them.
func (s *Store) countTotals(ctx context.Context) (target.Totals, error) {
	var rows []struct {
		IsActive   bool
		LastStatus string
		N          int
		Appended   int
	}
	err := s.reads.WithContext(ctx).Raw(`SELECT is_active, last_status, SUM(n) AS n, COUNT(*) AS appended
		FROM target_counts GROUP BY is_active, last_status`).Scan(&rows).Error
	if err != nil {
		return target.Totals{}, fmt.Errorf("count targets by state: %w", err)
	}
	var t target.Totals
	appended := 0
	for _, r := range rows {
		appended += r.Appended
		t.Total += r.N
		if !r.IsActive {
			t.Paused += r.N
			continue
		}
		t.Active += r.N
		switch target.Status(r.LastStatus) {
		case target.StatusUp:
			t.Up += r.N
		case target.StatusDown:
			t.Down += r.N
		case target.StatusUnknown:
			t.Unknown += r.N
		}
	}
	if appended > foldAfter {
		// Folding is housekeeping, a write inside a read: the totals above are right
		// without it, so a fold that fails (a full disk) leaves the rows for the next
		// read to fold rather than failing GET /stats, whose data is readable.
		_ = s.foldCounts(ctx)
	}
	return t, nil
}

// foldCounts replaces the appended count rows by one row per state with their sum.
// Rows appended meanwhile are left for the next fold, and two replicas folding at
// once each fold the rows the other did not take, so the sums never change.
func (s *Store) foldCounts(ctx context.Context) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.sql().movingCTE() {
			// One statement: its DELETE takes exactly the rows whose sums it inserts,
			// and skips rows another fold deleted first.
			return tx.Exec(`WITH taken AS (DELETE FROM target_counts RETURNING is_active, last_status, n)
				INSERT INTO target_counts (is_active, last_status, n)
				SELECT is_active, last_status, SUM(n) FROM taken GROUP BY is_active, last_status HAVING SUM(n) <> 0`).Error
		}
		// Without one (SQLite), the one writer: nothing is appended between these statements.
		var last int64
		if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM target_counts").Scan(&last).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO target_counts (is_active, last_status, n)
			SELECT is_active, last_status, SUM(n) FROM target_counts WHERE id <= ?
			GROUP BY is_active, last_status HAVING SUM(n) <> 0`, last).Error; err != nil {
			return err
		}
		return tx.Exec("DELETE FROM target_counts WHERE id <= ?", last).Error
	})
	if err != nil {
		return fmt.Errorf("fold target counts: %w", err)
	}
	return nil
}

// countFor is how many targets a list's status filter matches, by the counts; ok is
// false for a filter the counts do not answer.
func countFor(t target.Totals, status string) (n int, ok bool) {
	switch status {
	case "":
		return t.Total, true
	case target.FilterPaused:
		return t.Paused, true
	case target.FilterActive:
		return t.Active, true
	case string(target.StatusUp):
		return t.Up, true
	case string(target.StatusDown):
		return t.Down, true
	case string(target.StatusUnknown):
		return t.Unknown, true
	}
	return 0, false
}

// warmSince is when a new target starts to be meant warm: at once for keep-warm.
func warmSince(t target.Target, now time.Time) *time.Time {
	if !t.KeepWarm {
		return nil
	}
	return &now
}

// TargetState is a target's confirmed state, for metrics.
type TargetState struct {
	ID     int64
	Name   string
	Status target.Status
	Active bool
}

// TargetStates reads every target's state in one query (a few columns, no tags), for
// a metrics scrape.
func (s *Store) TargetStates(ctx context.Context) ([]TargetState, error) {
	var rows []struct {
		ID         int64
		Name       string
		LastStatus string
		IsActive   bool
	}
	if err := s.reads.WithContext(ctx).Model(&targetRow{}).Select("id, name, last_status, is_active").
		Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read target states: %w", err)
	}
	out := make([]TargetState, len(rows))
	for i, r := range rows {
		out[i] = TargetState{ID: r.ID, Name: r.Name, Status: target.Status(r.LastStatus), Active: r.IsActive}
	}
	return out, nil
}

// AllTargets reads every target by name, for exporting or applying a whole
// configuration (not the dashboard's pages: it is not memoised).
func (s *Store) AllTargets(ctx context.Context) ([]target.Target, error) {
	out, _, err := s.listTargets(ctx, target.ListFilter{Limit: -1})
	return out, err
}
