package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// pingTokenLimit is the most pings a second one token may send before the product
// answers 429 ("a few a second", DESIGN.md). The pinger warns when a run asks more of
// a token, as its 429s would then measure the limit rather than the endpoint (5 a
// second per token and replica, bursts of 10, in httpapi/ping.go).
const pingTokenLimit = 5.0

// pingWorkers is how many pings may be in flight at once. At 1,000 pings a second and
// an answer within a few milliseconds a dozen would do; the margin keeps a slow
// moment from holding the schedule back.
const pingWorkers = 128

// pingTick is how often the pinger sends every ping that has come due: a timer per
// ping would cost more than the pings at 1,000 a second.
const pingTick = 5 * time.Millisecond

// pinger plays the cron jobs of the fleet's heartbeats: it pings each heartbeat's
// ping URL in turn, rate pings a second in all, so each token is pinged every
// len(tokens)/rate seconds.
type pinger struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	transport *http.Transport
	log       pingLog
}

// pingLog is the pings' answers: those that started inside the window, for the
// latency and rate, and every ping of the run, for the writes per ping.
type pingLog struct {
	from, to time.Time

	mu        sync.Mutex
	latencyMS []float64
	// fromDueMS is each answer's time from when the ping was due rather than sent:
	// when the pinger falls behind, the wait for a free worker is the endpoint's
	// doing too, and latency alone would hide it.
	fromDueMS []float64
	ok        int // 2xx
	tooMany   int // 429: the per-token limit
	other     int // any other status
	failed    int // no answer at all
	// sentOK counts every ping of the run the product took (2xx), window or not: the
	// database's write counters cover the whole run.
	sentOK, sent int
	// behind is the most the pinger fell behind its own schedule, which would make
	// the achieved rate a measure of the client rather than the endpoint.
	behind time.Duration
}

func (l *pingLog) add(due, started time.Time, took time.Duration, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent++
	if status >= 200 && status < 300 {
		l.sentOK++
	}
	if started.Before(l.from) || !started.Before(l.to) {
		return
	}
	if status != 0 {
		l.latencyMS = append(l.latencyMS, float64(took.Microseconds())/1000)
		l.fromDueMS = append(l.fromDueMS, float64(started.Add(took).Sub(due).Microseconds())/1000)
	}
	switch {
	case status == 0:
		l.failed++
	case status >= 200 && status < 300:
		l.ok++
	case status == http.StatusTooManyRequests:
		l.tooMany++
	default:
		l.other++
	}
}

func (l *pingLog) lag(d time.Duration) {
	l.mu.Lock()
	l.behind = max(l.behind, d)
	l.mu.Unlock()
}

// pingURLs are the ping URLs of tokens, dealt round the replicas.
func pingURLs(replicaURLs, tokens []string) []string {
	out := make([]string, len(tokens))
	for i, tok := range tokens {
		out[i] = replicaURLs[i%len(replicaURLs)] + target.PingPath(tok)
	}
	return out
}

// startPinger pings urls in turn, rate a second in all, from now until stop. Ping j
// is due at start + j/rate and goes to urls[j mod len(urls)].
func startPinger(ctx context.Context, urls []string, rate float64, from, to time.Time) (*pinger, error) {
	if len(urls) == 0 || rate <= 0 {
		return nil, errors.New("pinger: no heartbeats or no rate")
	}
	transport := &http.Transport{
		Proxy:               nil, // only 127.0.0.1, whatever the environment says
		MaxIdleConns:        pingWorkers,
		MaxIdleConnsPerHost: pingWorkers,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	p := &pinger{cancel: cancel, transport: transport, log: pingLog{from: from, to: to}}
	jobs := make(chan pingJob, pingWorkers)
	for range pingWorkers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for job := range jobs {
				started := time.Now()
				status, err := ping(ctx, client, job.url)
				if ctx.Err() != nil && errors.Is(err, context.Canceled) {
					continue // cut off by the end of the run: says nothing about the endpoint
				}
				p.log.add(job.due, started, time.Since(started), status)
			}
		}()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(jobs)
		p.dispatch(ctx, jobs, urls, rate)
	}()
	return p, nil
}

// pingJob is one ping to send, and when it was due.
type pingJob struct {
	url string
	due time.Time
}

// dispatch hands each ping to the workers when it comes due.
func (p *pinger) dispatch(ctx context.Context, jobs chan<- pingJob, urls []string, rate float64) {
	start := time.Now()
	tick := time.NewTicker(pingTick)
	defer tick.Stop()
	for j := 0; ; {
		now := time.Now()
		for ; ; j++ {
			due := start.Add(time.Duration(float64(j) / rate * float64(time.Second)))
			if due.After(now) {
				break
			}
			p.log.lag(now.Sub(due))
			select {
			case jobs <- pingJob{url: urls[j%len(urls)], due: due}:
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ping sends one GET to a ping URL and reads the answer; status 0 means none came.
func ping(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("ping: %w", err)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("ping: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, fmt.Errorf("ping: read answer: %w", err)
	}
	return res.StatusCode, nil
}

// stop ends the pinging and waits for every ping in flight.
func (p *pinger) stop() {
	p.cancel()
	p.wg.Wait()
	p.transport.CloseIdleConnections()
}

// PingResult is the heartbeat pings' side of a run.
type PingResult struct {
	Heartbeats int `json:"heartbeats"`
	// RatePerSecond is the rate asked for; PerTokenPerSecond each token's share.
	RatePerSecond     float64 `json:"rate_per_second"`
	PerTokenPerSecond float64 `json:"per_token_per_second"`
	AchievedPerSecond float64 `json:"achieved_per_second"` // pings answered in the window / window
	InWindow          int     `json:"in_window"`
	OK                int     `json:"ok"`
	TooMany           int     `json:"too_many_429"`
	Other             int     `json:"other_status"`
	Failed            int     `json:"no_answer"`
	P50MS             float64 `json:"p50_ms"`
	P99MS             float64 `json:"p99_ms"`
	MaxMS             float64 `json:"max_ms"`
	// FromDueP99MS is the p99 from when each ping was due to its answer: above P99MS
	// when the pinger fell behind (no free worker), which latency alone would hide.
	FromDueP99MS float64 `json:"from_due_p99_ms"`
	BehindMS     float64 `json:"pinger_behind_ms"`
	// Sent and SentOK cover the whole run, as the write counters do.
	Sent   int `json:"sent"`
	SentOK int `json:"sent_ok"`
	// Writes are PostgreSQL's row counters over the whole run, first pings included;
	// WindowWrites over the window alone (read while the pings went on, so each end
	// lags by about a second). Both nil on SQLite.
	Writes       *WriteCounts `json:"writes,omitempty"`
	WindowWrites *WriteCounts `json:"window_writes,omitempty"`
	// WritesPerPing is (checks inserted + targets updated) / pings taken over the run,
	// and AllWritesPerPing counts every table's inserts, updates and deletes. The
	// Window figures divide the window's writes by the window's pings: a heartbeat's
	// first ping (unknown to up) writes more than the steady pings after it, and with
	// a warm-up of at least heartbeats / rate, the window has steady pings only. All
	// are 0 when scheduled checks wrote to the same tables (WritesNote says so).
	WritesPerPing          float64 `json:"writes_per_ping"`
	AllWritesPerPing       float64 `json:"all_writes_per_ping"`
	WindowWritesPerPing    float64 `json:"window_writes_per_ping"`
	WindowAllWritesPerPing float64 `json:"window_all_writes_per_ping"`
	WritesNote             string  `json:"writes_note,omitempty"`
}

// fill copies the pinger's numbers into r.
func (l *pingLog) fill(r *PingResult, window float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.latencyMS)
	slices.Sort(lat)
	r.InWindow = l.ok + l.tooMany + l.other + l.failed
	r.OK, r.TooMany, r.Other, r.Failed = l.ok, l.tooMany, l.other, l.failed
	r.AchievedPerSecond = float64(l.ok) / window
	r.P50MS, r.P99MS, r.MaxMS = percentile(lat, 50), percentile(lat, 99), percentile(lat, 100)
	fromDue := slices.Clone(l.fromDueMS)
	slices.Sort(fromDue)
	r.FromDueP99MS = percentile(fromDue, 99)
	r.BehindMS = float64(l.behind.Microseconds()) / 1000
	r.Sent, r.SentOK = l.sent, l.sentOK
}

// pingWarnings says what in a ping plan would spoil its measurement.
func pingWarnings(heartbeats int, rate float64, intervalSeconds int) []string {
	if heartbeats == 0 || rate <= 0 {
		return nil
	}
	var out []string
	perToken := rate / float64(heartbeats)
	if perToken > pingTokenLimit {
		out = append(out, fmt.Sprintf("%.0f pings/s over %d heartbeats is %.1f a second per token, above the product's limit of about %.0f: expect 429s (use more heartbeats, -n)",
			rate, heartbeats, perToken, pingTokenLimit))
	}
	if every := 1 / perToken; every > float64(2*intervalSeconds) {
		out = append(out, fmt.Sprintf("each heartbeat is pinged every %.0f s, after its deadline (period + grace = %d s): heartbeats will go down",
			every, 2*intervalSeconds))
	}
	return out
}
