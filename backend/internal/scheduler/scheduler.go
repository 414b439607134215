// Package scheduler runs the checks: a gocron job claims due targets from the database
// about twice a second and starts a worker for each, at most Workers at once; a
// recorder writes the results in batches. Any number of replicas may run it against one PostgreSQL:
// the claim query decides who checks what, so there is no coordinator.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Checker runs one check of one target.
type Checker interface {
	Check(ctx context.Context, t target.Target) target.Check
}

// Options tune a Scheduler.
type Options struct {
	// Workers is how many checks run at once.
	Workers int
	// Tick is how often due targets are claimed.
	Tick time.Duration
	// CatchUpSpread is the longest a target that missed whole intervals is delayed,
	// at random, so that after an outage they do not all fire at once.
	CatchUpSpread time.Duration
	// Retention is how long checks are kept.
	Retention time.Duration
	// AuditRetention is how long audit entries are kept; zero keeps them a year.
	AuditRetention time.Duration
	Log            *slog.Logger
	// Observe, when set, is told of every finished check (for metrics).
	Observe func(target.Check)
	// ObserveLag, when set, is told how late each claimed check starts after its slot.
	ObserveLag func(time.Duration)
	// WakeLead is how early before a warm window opens a keep-warm target on a
	// platform is first checked (the platform's typical wake time); nil means none.
	WakeLead func(platform string) time.Duration
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.Tick <= 0 {
		o.Tick = 500 * time.Millisecond
	}
	if o.CatchUpSpread <= 0 {
		o.CatchUpSpread = time.Minute
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.AuditRetention <= 0 {
		o.AuditRetention = 365 * 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Observe == nil {
		o.Observe = func(target.Check) {}
	}
	if o.ObserveLag == nil {
		o.ObserveLag = func(time.Duration) {}
	}
	if o.WakeLead == nil {
		o.WakeLead = func(string) time.Duration { return 0 }
	}
}

// Results are written in batches of at most this many, or whatever arrived within
// flushEvery: one transaction per batch instead of one per check.
const (
	maxBatch   = 500
	flushEvery = 100 * time.Millisecond
)

type job struct {
	claim     store.Claim
	claimedAt time.Time // this host's clock as the claim was asked for, only to measure elapsed time
}

// Scheduler claims due targets, checks them and records the results.
type Scheduler struct {
	store   *store.Store
	checker Checker
	opts    Options
	replica string
	seq     atomic.Uint64

	cron    gocron.Scheduler
	results chan store.Result
	// inflight counts claims not yet recorded or released: the pool's real load.
	inflight atomic.Int64
	draining atomic.Bool
	// dispatching is held by a running tick, so Stop can wait for the last one
	// before closing the queue it feeds.
	dispatching sync.Mutex
	// health is the store's record of whether the database works: claiming waits
	// while it fails, and the recorder's writes (or probes) tell when it works again.
	health *store.Health
	// unsure are the tokens of claims that failed without an answer: they may have
	// committed, so they are released once the database answers again. Only dispatch
	// touches it.
	unsure []string

	// checkCtx is cancelled when shutdown can wait no longer for running checks.
	checkCtx    context.Context
	cancelCheck context.CancelFunc
	// writeCtx bounds every write: it ends with the time Stop was given, so handing
	// leases back and writing the last results cannot overrun it.
	writeCtx    context.Context
	cancelWrite context.CancelFunc

	// wake tells refill that a batch was written and workers are free; stopped ends it.
	wake    chan struct{}
	stopped chan struct{}

	// startedAt, lastClaim (unix nanoseconds of the last claim query that worked, this
	// host's clock) and lag (how late, in nanoseconds, the last full batch of claims
	// started after their slots; 0 once a claim caught up) are what Health reads.
	startedAt atomic.Int64
	lastClaim atomic.Int64
	lag       atomic.Int64

	workers  sync.WaitGroup
	recorder sync.WaitGroup
	refiller sync.WaitGroup
	stopOnce sync.Once
}

// New builds a scheduler; Start runs it.
func New(st *store.Store, checker Checker, opts Options) (*Scheduler, error) {
	opts.defaults()
	cron, err := gocron.NewScheduler(gocron.WithLogger(cronLogger{opts.Log}))
	if err != nil {
		return nil, fmt.Errorf("create cron: %w", err)
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	ctx, cancel := context.WithCancel(context.Background())
	writeCtx, cancelWrite := context.WithCancel(context.Background())
	return &Scheduler{
		store: st, checker: checker, opts: opts,
		replica:     hex.EncodeToString(id),
		health:      st.Health(),
		cron:        cron,
		results:     make(chan store.Result, opts.Workers),
		checkCtx:    ctx,
		cancelCheck: cancel,
		writeCtx:    writeCtx,
		cancelWrite: cancelWrite,
		wake:        make(chan struct{}, 1),
		stopped:     make(chan struct{}),
	}, nil
}

// Start starts the recorder and the periodic jobs.
func (s *Scheduler) Start() error {
	s.startedAt.Store(time.Now().UnixNano())
	s.recorder.Add(1)
	go s.record()
	s.refiller.Go(s.refill)

	if _, err := s.cron.NewJob(gocron.DurationJob(s.opts.Tick), gocron.NewTask(s.dispatch),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithStartAt(gocron.WithStartImmediately())); err != nil {
		return fmt.Errorf("schedule dispatch: %w", err)
	}
	if _, err := s.cron.NewJob(gocron.DurationJob(maintainEvery), gocron.NewTask(s.maintain),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithStartAt(gocron.WithStartImmediately())); err != nil {
		return fmt.Errorf("schedule clean-up: %w", err)
	}
	// After a stop, or with a large import waiting, spread the backlog over the
	// interval rather than check it all in the first seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	spread, err := s.store.SpreadBacklog(ctx, s.opts.Workers, s.opts.CatchUpSpread)
	cancel()
	if err != nil {
		s.opts.Log.Warn("spread the backlog at start", "err", err)
	} else if spread > 0 {
		s.opts.Log.Info("spread the backlog of due targets", "count", spread, "over", s.opts.CatchUpSpread)
	}
	s.cron.Start()
	s.opts.Log.Info("scheduler started", "replica", s.replica, "workers", s.opts.Workers, "tick", s.opts.Tick)
	return nil
}

// dispatch is one tick: hand back claims left unsure by a broken connection, spread
// the badly overdue, then claim.
func (s *Scheduler) dispatch(ctx context.Context) {
	s.dispatching.Lock()
	defer s.dispatching.Unlock()
	if s.draining.Load() {
		return
	}
	if s.health.Err() != nil {
		// Claims are writes too, and results could not be written: nothing new is
		// started until the recorder finds that writes go through again.
		return
	}
	if len(s.unsure) > 0 {
		n, err := s.store.ReleaseTokens(ctx, s.unsure)
		if s.noteDB(err) != nil {
			return
		}
		if n > 0 {
			s.opts.Log.Info("released claims made while the database connection broke", "count", n)
		}
		s.unsure = s.unsure[:0]
	}
	moved, err := s.store.RescheduleOverdue(ctx, s.opts.CatchUpSpread)
	if s.noteDB(err) != nil {
		return
	}
	if moved > 0 {
		s.opts.Log.Info("spread overdue targets", "count", moved)
	}
	s.claim(ctx)
}

// refill claims work for the workers a written batch has just freed, between ticks:
// at thousands of checks a second they would otherwise idle for half a tick.
func (s *Scheduler) refill() {
	for {
		select {
		case <-s.stopped:
			return
		case <-s.wake:
		}
		s.dispatching.Lock()
		if !s.draining.Load() && s.health.Err() == nil {
			ctx, cancel := context.WithTimeout(s.checkCtx, 10*time.Second)
			s.claim(ctx)
			cancel()
		}
		s.dispatching.Unlock()
	}
}

// claim leases as many due targets as there are free workers, again while a full
// batch keeps coming back, and queues them. The caller holds dispatching.
func (s *Scheduler) claim(ctx context.Context) {
	for !s.draining.Load() && ctx.Err() == nil {
		free := s.opts.Workers - int(s.inflight.Load())
		if free <= 0 {
			return
		}
		token := fmt.Sprintf("%s-%d", s.replica, s.seq.Add(1))
		// The database reads its clock as the claim starts, so elapsed time is counted
		// from before the call: counted from its return, a slow claim would leave the
		// scheduler's idea of now behind, and a next slot could be set in the past.
		asked := time.Now()
		claims, err := s.store.ClaimDue(ctx, token, free)
		if s.noteDB(err) != nil {
			s.unsure = append(s.unsure, token)
			return
		}
		s.lastClaim.Store(time.Now().UnixNano())
		var lag time.Duration
		for _, c := range claims {
			lag = max(lag, c.DBNow.Sub(c.Slot))
			s.opts.ObserveLag(c.DBNow.Sub(c.Slot))
			s.inflight.Add(1)
			s.workers.Add(1)
			go s.work(job{claim: c, claimedAt: asked})
		}
		if len(claims) > 0 {
			s.health.Worked()
		}
		if len(claims) < free {
			// Everything due was claimed: the scheduler has caught up.
			s.lag.Store(0)
			return
		}
		s.lag.Store(int64(lag))
	}
}

// noteDB reports a failed tick to the database's health, which logs the start of an
// outage once, and returns err. A tick that failed is a write that failed: claiming
// and spreading both write.
func (s *Scheduler) noteDB(err error) error {
	if err != nil && !(s.draining.Load() && errors.Is(err, context.Canceled)) {
		s.health.Failed(err)
	}
	return err
}

// work runs one claimed check in its own goroutine. Workers are started per claim,
// never more than Options.Workers at once, so an idle scheduler costs nothing and a
// busy one pays a few KiB for each check waiting on the network or on a retry.
func (s *Scheduler) work(j job) {
	defer s.workers.Done()
	t := j.claim.Target
	now := j.claim.DBNow.Add(time.Since(j.claimedAt))
	if next, asleep := s.outsideWindows(t, now); asleep {
		s.deferTo(j.claim, next)
		return
	}
	if t.Type == target.TypeHeartbeat {
		s.missed(j, now)
		return
	}
	if t.MayBeAsleep(now) {
		t.TimeoutSeconds = max(t.TimeoutSeconds, t.WakeTimeoutSeconds)
	}
	c := s.checker.Check(s.checkCtx, t)
	if s.checkCtx.Err() != nil || c.Interrupted {
		// Shutdown cut the check or its retries short: a failure may be one the next
		// replica's retry would have cleared. Hand it back to be checked anew.
		s.release(j.claim)
		return
	}
	s.opts.Observe(c)
	s.results <- s.result(j, c)
}

// missed records a heartbeat's deadline, claimed as a due slot, as failed: no ping came
// by it (a ping moves the deadline and clears any lease, so a claimed deadline is one
// no ping has met). The result is written only while this claim's lease is still held:
// a ping that arrives between the claim and the write clears the lease, and then the
// miss is dropped (store.Result.HeldOnly). The next deadline is one period (or cron
// run) on, so a silent job fails once per period, not at every tick.
func (s *Scheduler) missed(j job, dbNow time.Time) {
	t := j.claim.Target
	slot := j.claim.Slot
	c := target.Check{
		TargetID:    t.ID,
		CheckedAt:   time.Now(),
		ScheduledAt: &slot,
		Error:       t.MissedPingError(),
		Attempts:    1,
	}
	s.opts.Observe(c)
	s.results <- store.Result{
		Check:           c,
		Token:           j.claim.Token,
		NextCheckAt:     t.NextDeadlineAfterMiss(slot, dbNow),
		MedianLatencyMS: t.MedianLatencyMS,
		HeldOnly:        true,
	}
}

// Lateness past which, or a claim query older than which, the scheduler is unhealthy.
const healthLimit = time.Minute

// Health says whether the scheduler works: it is running, its database takes writes,
// its last claim query succeeded within the last minute and due targets are claimed
// less than a minute late. reason says what is wrong when it does not. It is cheap
// (atomic reads): the self-ping reads it every minute, and a probe may too.
func (s *Scheduler) Health() (ok bool, reason string) {
	now := time.Now()
	started := s.startedAt.Load()
	switch {
	case started == 0:
		return false, "the scheduler has not started"
	case s.draining.Load():
		return false, "the scheduler is stopping"
	}
	if err := s.health.Err(); err != nil {
		return false, "the database fails: " + err.Error()
	}
	last := max(s.lastClaim.Load(), started)
	if since := now.Sub(time.Unix(0, last)); since > healthLimit {
		return false, fmt.Sprintf("no claim of due targets has succeeded for %s (%d of %d workers busy)",
			since.Round(time.Second), s.inflight.Load(), s.opts.Workers)
	}
	if lag := time.Duration(s.lag.Load()); lag > healthLimit {
		return false, fmt.Sprintf("due targets are claimed %s late", lag.Round(time.Second))
	}
	return true, ""
}

// outsideWindows says whether a keep-warm target is outside its warm windows now (and
// not about to enter one within its wake lead): it is left to sleep, and next is when
// to come back, the lead before its next window opens.
func (s *Scheduler) outsideWindows(t target.Target, now time.Time) (next time.Time, asleep bool) {
	if !t.KeepWarm || len(t.WarmWindows) == 0 {
		return time.Time{}, false
	}
	sched, errs := target.ParseSchedule(t.WarmWindows, t.Timezone)
	if len(errs) > 0 {
		return time.Time{}, false // validated at create; check rather than skip
	}
	lead := s.opts.WakeLead(t.Platform)
	if sched.Active(now) || sched.Active(now.Add(lead)) {
		return time.Time{}, false
	}
	start, ok := sched.NextStart(now)
	if !ok {
		return time.Time{}, false
	}
	return start.Add(-lead), true
}

// deferTo hands a claim back unchecked, due again at next.
func (s *Scheduler) deferTo(c store.Claim, next time.Time) {
	defer s.inflight.Add(-1)
	ctx, cancel := context.WithTimeout(s.writeCtx, 5*time.Second)
	defer cancel()
	c.Slot = next
	if err := s.store.Release(ctx, []store.Claim{c}); err != nil {
		s.opts.Log.Warn("defer a keep-warm target to its window", "target_id", c.Target.ID, "err", err)
	}
}

// InFlight is how many checks are running or waiting to be written: the pool's load.
func (s *Scheduler) InFlight() int { return int(s.inflight.Load()) }

// result completes a check with its slot, the next slot and the target's new usual
// latency. The next slot is reckoned on the database's clock: the claim's reading of
// it plus the time elapsed here since (for now and for the check's start).
func (s *Scheduler) result(j job, c target.Check) store.Result {
	t := j.claim.Target
	slot := j.claim.Slot
	c.TargetID = t.ID
	c.ScheduledAt = &slot
	dbNow := j.claim.DBNow.Add(time.Since(j.claimedAt))
	started := j.claim.DBNow.Add(c.CheckedAt.Sub(j.claimedAt))
	r := store.Result{
		Check:           c,
		Token:           j.claim.Token,
		NextCheckAt:     target.NextSlot(slot, t.Interval(), started, dbNow),
		MedianLatencyMS: usualLatency(t, c),
	}
	if t.KeepWarm {
		if sched, errs := target.ParseSchedule(t.WarmWindows, t.Timezone); len(errs) == 0 {
			r.WarmGap = t.WarmGap(sched, c, dbNow)
		}
	}
	return r
}

// usualLatency folds a check into the target's running median latency. Failures and
// wake-ups are left out: they are what the median is there to tell apart.
func usualLatency(t target.Target, c target.Check) *int {
	if !c.OK || c.ColdStart {
		return t.MedianLatencyMS
	}
	m := target.NextMedian(t.MedianLatencyMS, c.LatencyMS)
	return &m
}

func (s *Scheduler) release(c store.Claim) {
	ctx, cancel := context.WithTimeout(s.writeCtx, 5*time.Second)
	defer cancel()
	if err := s.store.Release(ctx, []store.Claim{c}); err != nil {
		// The lease runs out by itself; the target is only checked a little late.
		s.opts.Log.Warn("release claim", "target_id", c.Target.ID, "err", err)
	}
	s.inflight.Add(-1)
}

// Writes that fail are tried again after a pause that doubles from retryFirst up to
// retryMax.
const (
	retryFirst = 250 * time.Millisecond
	retryMax   = 5 * time.Second
)

// record batches results and writes them, at most maxBatch to a transaction. When the
// database itself cannot take them (its disk is full, an I/O error, it is read-only
// or unreachable), the results wait here and are tried again with backoff until they
// go through: none is dropped, none written twice. They are bounded by the workers:
// nothing new is claimed while writes fail, so at most one result per worker waits.
// With nothing waiting, a small probe write finds out when writes work again. Only
// rows the database refuses are dropped (see write).
func (s *Scheduler) record() {
	defer s.recorder.Done()
	var pending []store.Result
	timer := time.NewTimer(flushEvery)
	defer timer.Stop()
	backoff := time.Duration(0)
	flush := func() {
		for len(pending) > 0 {
			n := min(len(pending), maxBatch)
			written, err := s.write(pending[:n])
			pending = pending[written:]
			if err != nil {
				backoff = min(max(2*backoff, retryFirst), retryMax)
				return
			}
			backoff = 0
		}
		if s.health.Err() != nil {
			ctx, cancel := context.WithTimeout(s.writeCtx, 10*time.Second)
			err := s.store.ProbeWrite(ctx)
			cancel()
			if err != nil {
				s.health.Failed(err)
				backoff = min(max(2*backoff, retryFirst), retryMax)
				return
			}
			s.health.Worked()
			backoff = 0
		}
	}
	for {
		select {
		case r, ok := <-s.results:
			if !ok {
				s.drain(&pending, flush)
				return
			}
			pending = append(pending, r)
			if len(pending) >= maxBatch && backoff == 0 {
				flush()
			}
		case <-timer.C:
			flush()
			timer.Reset(max(flushEvery, backoff))
		}
	}
}

// write records one batch and says how many of its results are done with. When the
// batch is refused for its rows (a value the database will not take), it is written
// one result at a time and the refused ones are dropped and logged, so one bad row
// cannot hold up every check behind it; their targets are checked again when their
// leases end. Any other failure keeps the whole batch: a database that cannot write
// says nothing about the rows.
func (s *Scheduler) write(batch []store.Result) (int, error) {
	ctx, cancel := context.WithTimeout(s.writeCtx, 30*time.Second)
	defer cancel()
	err := s.store.Record(ctx, batch)
	if err == nil {
		s.inflight.Add(-int64(len(batch)))
		s.health.Worked()
		s.freed()
		return len(batch), nil
	}
	if !store.Refused(err) && !s.rowsAtFault(ctx, err) {
		s.health.Failed(err)
		return 0, err
	}
	for i, r := range batch {
		if err := s.store.Record(ctx, []store.Result{r}); err != nil {
			if !store.Refused(err) && !s.rowsAtFault(ctx, err) {
				s.health.Failed(err)
				return i, err
			}
			s.opts.Log.Error("dropped a check result the database refuses", "target_id", r.Check.TargetID, "err", err)
		}
		s.inflight.Add(-1)
	}
	s.freed()
	return len(batch), nil
}

// rowsAtFault says whether a failed write that names no outage and no refused row was
// still the rows' doing: the database takes a write of its own right after. Without
// this, an error no class names (a statement the database cannot run for these values)
// would keep its batch, and so stop checking on this replica, for ever.
func (s *Scheduler) rowsAtFault(ctx context.Context, err error) bool {
	if _, down := store.Unavailable(err); down {
		return false
	}
	return s.store.ProbeWrite(ctx) == nil
}

// freed wakes refill, unless it is already woken.
func (s *Scheduler) freed() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// drain writes what is left at shutdown, trying again while the time Stop was given
// lasts.
func (s *Scheduler) drain(batch *[]store.Result, flush func()) {
	for len(*batch) > 0 && s.writeCtx.Err() == nil {
		flush()
		if len(*batch) > 0 {
			select {
			case <-time.After(retryFirst):
			case <-s.writeCtx.Done():
			}
		}
	}
	if len(*batch) > 0 {
		s.opts.Log.Error("shutdown: checks left unrecorded; their targets will be checked again when the leases end", "count", len(*batch))
	}
}

// maintainEvery is how often finished hours are rolled up and old data deleted.
const maintainEvery = 5 * time.Minute

// maintain rolls finished hours and days up, then deletes checks past retention
// (never ones not yet rolled up), rollups past theirs, dead refresh tokens and full
// login limit buckets.
func (s *Scheduler) maintain(ctx context.Context) {
	for {
		hours, days, err := s.store.RollUp(ctx, time.Now())
		if err != nil {
			s.opts.Log.Warn("roll up checks", "err", err)
			break
		}
		if hours+days == 0 {
			break
		}
		s.opts.Log.Info("rolled up checks", "hours", hours, "days", days)
	}
	n, err := s.store.DeleteChecksBefore(ctx, time.Now().Add(-s.opts.Retention))
	if err != nil {
		s.opts.Log.Warn("retention", "err", err)
	} else if n > 0 {
		s.opts.Log.Info("retention: deleted old checks", "count", n)
	}
	if _, err := s.store.DeleteRollupsBefore(ctx, time.Now()); err != nil {
		s.opts.Log.Warn("rollup retention", "err", err)
	}
	if _, err := s.store.DeleteExpiredRefreshTokens(ctx); err != nil {
		s.opts.Log.Warn("delete expired refresh tokens", "err", err)
	}
	// Login limit buckets that are full again remember nothing; the ones still
	// counting stay, so the table holds only the keys tried in the last few minutes.
	if _, err := s.store.DeleteFullLimits(ctx, time.Now()); err != nil {
		s.opts.Log.Warn("delete full login limits", "err", err)
	}
	// Sent and given-up notifications are kept a while, for whoever asks what went out.
	if _, err := s.store.DeleteDeliveriesBefore(ctx, time.Now().Add(-deliveryRetention)); err != nil {
		s.opts.Log.Warn("notification retention", "err", err)
	}
	if _, err := s.store.DeleteAuditBefore(ctx, time.Now().Add(-s.opts.AuditRetention)); err != nil {
		s.opts.Log.Warn("audit retention", "err", err)
	}
}

// deliveryRetention is how long a finished notification stays in the outbox.
const deliveryRetention = 30 * 24 * time.Hour

// stopReserve is the most of a stop's time kept, after running checks are cut off,
// for handing their leases back and writing the results.
const stopReserve = 2 * time.Second

// Stop stops claiming and lets running checks finish, all within ctx: when ctx has a
// deadline, running checks get until half the time left before it (but no more than
// stopReserve before it), then are cancelled and their targets handed back; every
// result is written by the deadline or logged as lost. Without a deadline, checks run
// until ctx is cancelled. It is safe to call more than once.
func (s *Scheduler) Stop(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		cut := ctx
		if deadline, ok := ctx.Deadline(); ok {
			reserve := min(time.Until(deadline)/2, stopReserve)
			var cancel context.CancelFunc
			cut, cancel = context.WithDeadline(ctx, deadline.Add(-reserve))
			defer cancel()
			// The writes after the cut end with ctx, not before.
			stopWrites := context.AfterFunc(ctx, s.cancelWrite)
			defer stopWrites()
		}
		s.draining.Store(true)
		close(s.stopped)
		// A claim under way in refill is cut at the cut, as running checks are, so
		// a database that stopped answering cannot hold the stop past its deadline.
		stopRefill := context.AfterFunc(cut, s.cancelCheck)
		defer stopRefill()
		s.refiller.Wait()
		if e := s.cron.ShutdownWithContext(cut); e != nil {
			err = fmt.Errorf("stop cron: %w", e)
		}
		// Checks waiting to retry stop now; attempts under way may finish.
		if d, ok := s.checker.(interface{ Drain() }); ok {
			d.Drain()
		}
		// A tick still running finishes starting its workers before they are waited for.
		s.dispatching.Lock()
		if len(s.unsure) > 0 {
			// Claims cut off by the shutdown itself may have committed.
			releaseCtx, cancel := context.WithTimeout(s.writeCtx, 5*time.Second)
			if _, e := s.store.ReleaseTokens(releaseCtx, s.unsure); e != nil {
				s.opts.Log.Warn("shutdown: release unanswered claims", "err", e)
			}
			cancel()
		}
		s.dispatching.Unlock()
		done := make(chan struct{})
		go func() { s.workers.Wait(); close(done) }()
		select {
		case <-done:
		case <-cut.Done():
			s.opts.Log.Warn("shutdown: cancelling running checks")
			s.cancelCheck()
			<-done
		}
		s.cancelCheck()
		close(s.results)
		s.recorder.Wait()
		s.cancelWrite()
		s.opts.Log.Info("scheduler stopped")
	})
	return err
}

// CheckNow runs one check of t outside the schedule and records it, for a user who
// asked for it. It does not move the target's schedule.
func (s *Scheduler) CheckNow(ctx context.Context, t target.Target) (target.Check, error) {
	if t.Type == target.TypeHeartbeat {
		return target.Check{}, fmt.Errorf("check now: %w", target.ErrNotCheckable)
	}
	c := s.checker.Check(ctx, t)
	if err := ctx.Err(); err != nil {
		return target.Check{}, err
	}
	c.TargetID = t.ID
	s.opts.Observe(c)
	recorded, err := s.store.RecordOne(ctx, store.Result{Check: c, MedianLatencyMS: usualLatency(t, c)})
	if err != nil {
		return c, fmt.Errorf("check now: %w", err)
	}
	return recorded, nil
}

// cronLogger hands gocron's messages to slog, so they are lines of the same stream
// (JSON when the server logs JSON). gocron announces its own start at info, which
// says nothing "scheduler started" does not: that goes to debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Debug(msg string, args ...any) { l.log.Debug(msg, args...) }
func (l cronLogger) Info(msg string, args ...any)  { l.log.Debug(msg, args...) }
func (l cronLogger) Warn(msg string, args ...any)  { l.log.Warn(msg, args...) }
func (l cronLogger) Error(msg string, args ...any) { l.log.Error(msg, args...) }
