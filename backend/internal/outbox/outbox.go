// Package outbox sends the notifications queued in the database. Every replica runs a
// Dispatcher; each claims due rows with a lease, so a notification is sent by one of
// them, and retried with backoff (or the provider's Retry-After) until it goes
// through or is given up. Each send runs on its own, so a slow or failing channel
// never holds up another.
package outbox

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	mathrand "math/rand/v2"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
)

// Options tune a Dispatcher.
type Options struct {
	Env notify.Env
	// Timeout bounds one send; the lease is Timeout plus a margin.
	Timeout time.Duration
	// Poll is how often the outbox is looked at when nothing wakes the dispatcher.
	Poll time.Duration
	// Concurrency is the most sends in flight.
	Concurrency int
	// RetryBase is the wait after the first failure, doubled after each later one, up
	// to MaxRetryWait.
	RetryBase    time.Duration
	MaxRetryWait time.Duration
	// MaxAttempts is when a notification is given up.
	MaxAttempts int
	// Observe, when set, is told of every attempt (for metrics).
	Observe func(channelType, outcome string, d time.Duration)
	Log     *slog.Logger
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 5 * time.Second
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = 30 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// leaseMargin is added to the send timeout for the claim's lease, so a live
// dispatcher always finishes (and records) before another may take the row over.
const leaseMargin = 5 * time.Second

// Outcomes of an attempt, as Observe is told.
const (
	OutcomeSent   = "sent"
	OutcomeRetry  = "retry"
	OutcomeFailed = "failed"
)

// Outcomes are every outcome Observe may be told of, for metrics that start each at zero.
func Outcomes() []string { return []string{OutcomeSent, OutcomeRetry, OutcomeFailed} }

// Dispatcher sends queued notifications.
type Dispatcher struct {
	store *store.Store
	opts  Options
	// token is this replica's lease token: one per process is enough, since a row is
	// only ever re-claimed after its lease ran out.
	token string

	wake   chan struct{}
	stop   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	// writeCtx bounds the writes that record how a send ended: it ends with the time
	// Stop was given, so a database that does not answer cannot hold the stop past it.
	writeCtx    context.Context
	cancelWrite context.CancelFunc
	slots       chan struct{}
	loop        sync.WaitGroup
	sends       sync.WaitGroup
	stopped     sync.Once
}

// New returns a dispatcher; Start runs it.
func New(st *store.Store, opts Options) *Dispatcher {
	opts.defaults()
	id := make([]byte, 8)
	_, _ = cryptorand.Read(id)
	ctx, cancel := context.WithCancel(context.Background())
	writeCtx, cancelWrite := context.WithCancel(context.Background())
	return &Dispatcher{
		store: st, opts: opts, token: "outbox-" + hex.EncodeToString(id),
		wake: make(chan struct{}, 1), stop: make(chan struct{}),
		ctx: ctx, cancel: cancel, writeCtx: writeCtx, cancelWrite: cancelWrite,
		slots: make(chan struct{}, opts.Concurrency),
	}
}

// Wake makes the dispatcher look at the outbox now (something was just queued).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Start runs the dispatch loop until Stop.
func (d *Dispatcher) Start() {
	d.loop.Add(1)
	go d.run()
}

// stopReserve is the most of a stop's time kept, after sends are cut off, for
// handing their rows back.
const stopReserve = 2 * time.Second

// Stop ends the loop and gives sends in flight until ctx ends to finish; when ctx has
// a deadline, until half the time left before it (at most stopReserve before it), so
// that what is left hands the cut-off sends' rows back, due at once, for the next
// replica or restart. Nothing it does outlasts ctx.
func (d *Dispatcher) Stop(ctx context.Context) {
	cut := ctx
	if deadline, ok := ctx.Deadline(); ok {
		reserve := min(time.Until(deadline)/2, stopReserve)
		var cancel context.CancelFunc
		cut, cancel = context.WithDeadline(ctx, deadline.Add(-reserve))
		defer cancel()
		stopWrites := context.AfterFunc(ctx, d.cancelWrite)
		defer stopWrites()
	}
	d.stopped.Do(func() { close(d.stop) })
	d.loop.Wait()
	done := make(chan struct{})
	go func() { d.sends.Wait(); close(done) }()
	select {
	case <-done:
	case <-cut.Done():
		d.cancel()
		<-done
	}
	d.cancel()
	d.cancelWrite()
}

func (d *Dispatcher) run() {
	defer d.loop.Done()
	ticker := time.NewTicker(d.opts.Poll)
	defer ticker.Stop()
	failing := false
	for {
		err := d.dispatch()
		switch {
		case err != nil && !failing:
			d.opts.Log.Error("outbox: claim notifications", "err", err)
			failing = true
		case err == nil && failing:
			d.opts.Log.Info("outbox: claiming notifications again")
			failing = false
		}
		select {
		case <-d.stop:
			return
		case <-ticker.C:
		case <-d.wake:
		}
	}
}

// dispatch claims as many due rows as there are free send slots and starts them.
func (d *Dispatcher) dispatch() error {
	free := cap(d.slots) - len(d.slots)
	if free <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(d.ctx, 10*time.Second)
	defer cancel()
	batch, err := d.store.ClaimDeliveries(ctx, d.token, free, d.opts.Timeout+leaseMargin)
	if err != nil {
		return err
	}
	for _, del := range batch {
		d.slots <- struct{}{}
		d.sends.Add(1)
		go d.send(del)
	}
	return nil
}

func (d *Dispatcher) send(del store.Delivery) {
	defer d.sends.Done()
	defer func() { <-d.slots }()

	ctx, cancel := context.WithTimeout(d.ctx, d.opts.Timeout)
	start := time.Now()
	err := notify.Send(ctx, del.Channel, d.opts.Env, del.Message)
	cancel()
	took := time.Since(start)

	// Record with a context of its own: the outcome must be written even when shutdown
	// has cut the send off, within the stop's time.
	wctx, wcancel := context.WithTimeout(d.writeCtx, 5*time.Second)
	defer wcancel()
	log := d.opts.Log.With(deliveryAttrs(del)...)
	if err == nil {
		d.observe(del, OutcomeSent, took)
		if werr := d.store.DeliverySent(wctx, del); werr != nil {
			// The receiver has it; if this write is lost the row is sent again after
			// its lease, with the same delivery id, which the receiver can drop.
			log.Error("outbox: record a sent notification", "err", werr)
		}
		return
	}
	if d.ctx.Err() != nil {
		// Shutdown cut the send off: not the channel's fault, so not an attempt.
		if werr := d.store.ReleaseDeliveries(wctx, []store.Delivery{del}); werr != nil {
			log.Error("outbox: release a notification", "err", werr)
		}
		return
	}
	retryAt := d.retryAt(del, err)
	if retryAt.IsZero() {
		d.observe(del, OutcomeFailed, took)
		// One line says all there is: which target and channel, how many tries, and
		// why the last one failed. Nothing more will be tried.
		log.Warn("outbox: notification given up", "err", err)
	} else {
		d.observe(del, OutcomeRetry, took)
		log.Warn("outbox: notification failed, will retry", "err", err, "retry_at", retryAt)
	}
	if werr := d.store.DeliveryFailed(wctx, del, err.Error(), retryAt); werr != nil {
		log.Error("outbox: record a failed notification", "err", werr)
	}
}

// deliveryAttrs names a delivery in its log lines: target_id (when it is about a
// target, as every log line about a target names it), the channel's id and type,
// the event, and the attempts made so far, this one included.
func deliveryAttrs(del store.Delivery) []any {
	attrs := make([]any, 0, 12)
	if del.Message.Target != nil {
		attrs = append(attrs, "target_id", del.Message.Target.ID)
	}
	return append(attrs, "channel_id", del.Channel.ID, "channel_type", del.Channel.Type,
		"event", del.Message.Event, "delivery_id", del.Message.DeliveryID, "attempts", del.Attempts)
}

// retryAt is when to try again after err, or zero to give up.
func (d *Dispatcher) retryAt(del store.Delivery, err error) time.Time {
	var se *notify.SendError
	if errors.As(err, &se) && !se.Retry {
		return time.Time{}
	}
	if del.Attempts >= d.opts.MaxAttempts {
		return time.Time{}
	}
	wait := d.opts.RetryBase
	for i := 1; i < del.Attempts && wait < d.opts.MaxRetryWait; i++ {
		wait *= 2
	}
	wait = min(wait, d.opts.MaxRetryWait)
	// A little jitter, so deliveries that failed together do not retry together.
	wait += time.Duration(mathrand.Int64N(int64(wait)/10 + 1))
	if se != nil && se.RetryAfter > wait {
		wait = se.RetryAfter
	}
	return time.Now().Add(wait)
}

func (d *Dispatcher) observe(del store.Delivery, outcome string, took time.Duration) {
	if d.opts.Observe != nil {
		d.opts.Observe(del.Channel.Type, outcome, took)
	}
}

// Test sends a test message through a channel at once, outside the outbox: the
// person who asked waits for the answer.
func Test(ctx context.Context, ch notify.Channel, env notify.Env, now time.Time) error {
	id := make([]byte, 16)
	_, _ = cryptorand.Read(id)
	return notify.Send(ctx, ch, env, notify.Message{
		DeliveryID: "test-" + hex.EncodeToString(id), Event: notify.EventTest, OccurredAt: now.UTC(),
	})
}
