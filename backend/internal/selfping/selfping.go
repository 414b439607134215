// Package selfping watches the watcher: with SELF_PING_URL set, the deployment pings
// that URL (another WatchDog's heartbeat, Healthchecks, any dead-man switch) once a
// minute while its scheduler is healthy, and URL/fail with the reason when it is not.
// When WatchDog stops altogether the pings stop, and the other side's deadline tells.
//
// Once per deployment, not per replica: the minutes are numbered on the wall clock and
// each is claimed in the database (a compare-and-set on a settings row), so of any
// number of replicas one pings each minute. A healthy replica claims at the start of
// the minute; an unhealthy one waits half a minute first, so that while any replica is
// healthy the minute goes to it and the deployment reads as up (the others take its
// targets over when their leases end). With no replica healthy the minute goes to one
// that reports /fail. When the claim itself fails (the database is down) the replica
// pings without it: every replica then reports /fail, which says the same thing.
package selfping

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Health is what the pinger reports: the scheduler's (scheduler.Scheduler.Health).
type Health interface {
	Health() (ok bool, reason string)
}

// Claimer takes one numbered tick of a deployment-wide job for the caller
// (store.Store.ClaimTick).
type Claimer interface {
	ClaimTick(ctx context.Context, key string, tick int64) (bool, error)
}

// Options tune a Pinger.
type Options struct {
	// URL is pinged (GET) while healthy; URL + "/fail" (POST, the reason as body) when not.
	URL string
	// Every is the time between pings; zero means a minute.
	Every time.Duration
	// Client sends the pings; nil means a plain client with a 10 s timeout.
	Client *http.Client
	Log    *slog.Logger
}

// claimKey names the settings row the replicas claim each tick in.
const claimKey = "self_ping.tick"

// Pinger pings the URL once per tick until stopped.
type Pinger struct {
	health  Health
	claims  Claimer
	opts    Options
	failURL string

	stop chan struct{}
	done sync.WaitGroup
	once sync.Once

	// Only the loop's goroutine touches these: the last state logged, so each change
	// is logged once.
	unhealthy bool
	failing   bool
}

// New returns a pinger of opts.URL reporting health; claims may be nil (a single
// process, or tests), and then every tick is this pinger's.
func New(health Health, claims Claimer, opts Options) (*Pinger, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("self-ping URL must be an absolute http or https URL")
	}
	fail := *u
	fail.Path = strings.TrimSuffix(u.Path, "/") + "/fail"
	fail.RawPath = ""
	if opts.Every <= 0 {
		opts.Every = time.Minute
	}
	if opts.Client == nil {
		// A plain client, not the outbound guard's: the URL is the operator's own
		// setting, not something an API user can point at the private network, and the
		// watcher is often on that network (another WatchDog next to this one).
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Pinger{health: health, claims: claims, opts: opts, failURL: fail.String(), stop: make(chan struct{})}, nil
}

// Start runs the loop until Stop.
func (p *Pinger) Start() {
	p.done.Add(1)
	go p.loop()
	p.opts.Log.Info("self-ping started", "every", p.opts.Every)
}

// Stop ends the loop and waits for a ping under way (bounded by the client's
// timeout). It is safe to call more than once.
func (p *Pinger) Stop() {
	p.once.Do(func() { close(p.stop) })
	p.done.Wait()
}

func (p *Pinger) loop() {
	defer p.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-p.stop
		cancel()
	}()
	for {
		// Ticks are on the wall clock's multiples of Every, the same on every replica.
		now := time.Now()
		tick := now.UnixNano()/int64(p.opts.Every) + 1
		if !p.sleep(time.Unix(0, tick*int64(p.opts.Every)).Sub(now)) {
			return
		}
		// An unhealthy replica waits its turn: a healthy one takes the tick first.
		if healthy, _ := p.health.Health(); !healthy && !p.sleep(p.opts.Every/2) {
			return
		}
		if !p.claim(ctx, tick) {
			continue
		}
		// Health again: it may have changed while this replica waited its turn.
		ok, reason := p.health.Health()
		if ok == p.unhealthy { // changed since the last ping
			p.unhealthy = !ok
			if ok {
				p.opts.Log.Info("self-ping: the scheduler is healthy again; pinging the URL")
			} else {
				p.opts.Log.Warn("self-ping: the scheduler is unhealthy; reporting /fail", "reason", reason)
			}
		}
		p.ping(ctx, ok, reason)
	}
}

// sleep waits d, or returns false when the pinger is stopped first.
func (p *Pinger) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.stop:
		return false
	}
}

// claim says whether this tick is this replica's to ping. A claim that fails (the
// database is down) counts as won: a silent deployment would say nothing of why.
func (p *Pinger) claim(ctx context.Context, tick int64) bool {
	if p.claims == nil {
		return true
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	won, err := p.claims.ClaimTick(cctx, claimKey, tick)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		p.opts.Log.Debug("self-ping: claim the tick", "err", err)
		return true
	}
	return won
}

// ping sends one ping, and logs when pings start failing and when they work again.
func (p *Pinger) ping(ctx context.Context, healthy bool, reason string) {
	var req *http.Request
	var err error
	if healthy {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, p.opts.URL, nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, p.failURL, strings.NewReader(reason))
		if req != nil {
			req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		}
	}
	if err == nil {
		req.Header.Set("User-Agent", "WatchDog self-ping")
		var res *http.Response
		if res, err = p.opts.Client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			_ = res.Body.Close()
			if res.StatusCode >= 300 {
				// The code alone: a status line is the other side's text.
				err = fmt.Errorf("answered status %d", res.StatusCode)
			}
		}
	}
	if ctx.Err() != nil {
		return // stopping: a cut ping says nothing about the URL
	}
	switch {
	case err != nil && !p.failing:
		p.failing = true
		p.opts.Log.Warn("self-ping failed; the watcher may report this deployment down", "err", withoutURL(err))
	case err == nil && p.failing:
		p.failing = false
		p.opts.Log.Info("self-ping works again")
	}
}

// withoutURL is an error of a ping as it is logged: never with the URL, whose token
// is a credential. A url.Error quotes the URL as the client printed it, which is not
// the configured text (after a redirect, with user:***@, re-encoded as %20, a scheme
// in lower case), so no search and replace finds it: only its operation and the
// error under it are kept (a refused connection, a timeout: these name a host and
// port, not a path).
func withoutURL(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Op + ": " + withoutURL(uerr.Err)
	}
	return err.Error()
}
