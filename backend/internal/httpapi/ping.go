package httpapi

// The heartbeat ping endpoints, public like Healthchecks' (the token in the path is
// the credential): /ping/{token} records a successful check, /start marks a run as
// started, /fail and /{exit_code} (1-255) record a failure at once. Each takes GET,
// HEAD or POST and answers "OK". Pings are limited per heartbeat, per replica, so one
// runaway job cannot flood the database, and unknown tokens per client address, so
// guessing tokens costs little.

import (
	"container/list"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// pingAction is what a ping says about the job's run.
type pingAction int

const (
	pingSuccess pingAction = iota
	pingStart
	pingFail
)

// ping handles every ping: the look-up by the unique token, the rate limit, then the
// action. A paused heartbeat answers OK and records nothing: monitoring is off, and the
// job (whose curl -f would report an error) has done nothing wrong. /start records no
// check and does not move the deadline (Healthchecks does not either): a run that
// starts and never finishes fails at the deadline its last ping set.
func (a *api) ping(c echo.Context, action pingAction, exitCode int) error {
	token := c.Param("token")
	if !target.ValidPingToken(token) { // refused before it costs a query or a rate-limit entry
		return notFoundProblem("ping token")
	}
	now := time.Now()
	// A client whose guesses have run out its budget of unknown tokens is refused
	// before it costs a query.
	ip := c.RealIP()
	if ok, wait := a.pings.misses.peek(ip, now); !ok {
		return tooManyPings(wait, "too many unknown ping tokens from this address")
	}
	ctx := c.Request().Context()
	t, err := a.Store.TargetByPingToken(ctx, token)
	if errors.Is(err, target.ErrNotFound) {
		a.pings.misses.allow(ip, now)
		return notFoundProblem("ping token")
	}
	if err != nil {
		return err
	}
	// Only a real heartbeat has a bucket: a flood of made-up tokens cannot crowd
	// real ones out of the map.
	if ok, wait := a.pings.targets.allow(strconv.FormatInt(t.ID, 10), now); !ok {
		return tooManyPings(wait, "too many pings for this token")
	}
	if !t.IsActive {
		return pingOK(c)
	}
	var msg *string
	if c.Request().Method == http.MethodPost {
		var whole bool
		msg, whole = readPingBody(c.Request().Body)
		if !whole {
			// The rest is left unread: the connection cannot carry another request.
			c.Response().Header().Set(echo.HeaderConnection, "close")
		}
	}
	now = time.Now()
	if action == pingStart {
		if err := a.Store.StartRun(ctx, t.ID, now); err != nil && !errors.Is(err, target.ErrNotFound) {
			return err
		}
		return pingOK(c)
	}
	chk := target.Check{TargetID: t.ID, CheckedAt: now, OK: true, Attempts: 1, LatencyMS: runLatency(t, now), Message: msg}
	switch {
	case action == pingFail:
		chk.OK, chk.Error = false, "ping: fail"
	case exitCode != 0:
		chk.OK, chk.Error = false, fmt.Sprintf("exit code %d", exitCode)
	}
	_, err = a.Store.RecordPing(ctx, store.Ping{Check: chk, Deadline: t.HeartbeatDeadline(now)})
	if errors.Is(err, target.ErrNotFound) {
		// Paused or deleted between the look-up and the write: as if it had been so
		// before (a deleted one's token is gone for the next ping).
		return pingOK(c)
	}
	if err != nil {
		return err
	}
	return pingOK(c)
}

func tooManyPings(wait time.Duration, detail string) error {
	secs := max(1, int(wait.Seconds()+0.999))
	return &problem{status: http.StatusTooManyRequests, slug: "rate-limited", title: "Too many requests",
		detail: fmt.Sprintf("%s; try again in %d s", detail, secs),
		header: http.Header{"Retry-After": {strconv.Itoa(secs)}}}
}

// staleRunAfter is the least age at which a /start no finish followed is forgotten.
const staleRunAfter = 12 * time.Hour

// runLatency is the time since the run's /start, as the check's latency, or 0 when
// there was none. A start older than max(period, 12 h) + grace belongs to a run that
// never finished (its deadline has long passed), not to this one: it would make a
// success hours later look hours slow. It is ignored, and the ping clears it.
func runLatency(t target.Target, now time.Time) int {
	if t.RunStartedAt == nil || t.RunStartedAt.After(now) {
		return 0
	}
	since := now.Sub(*t.RunStartedAt)
	if since > max(t.Period(), staleRunAfter)+t.Grace() {
		return 0
	}
	return int(min(since, target.MaxPeriodSeconds*time.Second) / time.Millisecond)
}

// maxPingBodyBytes is how much of a ping's body is read at most. A ping is usually a
// job's output piped to curl, which can be large; only the first
// target.MaxPingMessageBytes are kept, and the ping counts whatever its size. The
// server's 1 MiB body limit does not apply to the ping routes (server.go).
const maxPingBodyBytes = 10 << 20

// readPingBody keeps the first MaxPingMessageBytes of a body and reads the rest away
// up to maxPingBodyBytes, so the client sees its whole body taken rather than a reset
// connection. whole is false when the body went on past that (or broke off): the
// rest is left unread. A read error loses the message, never the ping.
func readPingBody(body io.Reader) (msg *string, whole bool) {
	head, err := io.ReadAll(io.LimitReader(body, target.MaxPingMessageBytes+4))
	if err != nil {
		return target.PingMessage(head), false
	}
	n, err := io.Copy(io.Discard, io.LimitReader(body, maxPingBodyBytes))
	return target.PingMessage(head), err == nil && n < maxPingBodyBytes
}

// pingPrefix starts every ping path.
const pingPrefix = "/api/v1/ping/"

// isPingPath says whether a request is a ping (for the body limit's exemption).
func isPingPath(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, pingPrefix) }

// pingTrailingSlash routes a ping path ending in a slash (/ping/TOKEN/,
// /ping/TOKEN/fail/) as the path without it: scripts build ping URLs by joining parts,
// and Healthchecks takes both. A Pre middleware, as it must run before routing.
func pingTrailingSlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if p, ok := strings.CutSuffix(r.URL.Path, "/"); ok && len(p) > len(pingPrefix) && strings.HasPrefix(p, pingPrefix) {
			r.URL.Path = p
			r.URL.RawPath = ""
		}
		return next(c)
	}
}

// logPath is a request's path as the log writes it: a ping's token is a credential
// (anyone holding it can fail the heartbeat), so it is left out.
func logPath(p string) string {
	rest, ok := strings.CutPrefix(p, pingPrefix)
	if !ok {
		return p
	}
	if _, action, found := strings.Cut(rest, "/"); found {
		return pingPrefix + "…/" + action
	}
	return pingPrefix + "…"
}

// pingOK is the answer to every accepted ping, as Healthchecks gives it.
func pingOK(c echo.Context) error { return c.String(http.StatusOK, "OK") }

// exitCodePattern is an exit code as a shell prints $?: up to three digits, no sign,
// no leading zero.
var exitCodePattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,2})$`)

// pingExitCode reads the {exit_code} of /ping/{token}/{exit_code}: 0 is success and
// 1-255 failure, as a shell's $? is. Digits that are no such code (256, 007) are a 400;
// anything else (+5, -0, abc) is no such endpoint (404), as with Healthchecks.
func (a *api) pingExitCode(c echo.Context) error {
	raw := c.Param("exit_code")
	if raw == "" || strings.Trim(raw, "0123456789") != "" {
		return notFoundProblem("ping endpoint")
	}
	code, err := strconv.Atoi(raw)
	if !exitCodePattern.MatchString(raw) || err != nil || code > 255 {
		return badRequest("exit_code", "must be a whole number from 0 to 255, without leading zeros")
	}
	return a.ping(c, pingSuccess, code)
}

// Ping limits: 5 a second per heartbeat, bursts of 10 (Healthchecks-style jobs ping a
// few times a run; past that, pings are a loop gone wrong), and 20 unknown tokens a
// second per client address, so guessing tokens costs little.
const (
	pingRate    = 5.0
	pingBurst   = 10.0
	missRate    = 20.0
	missBurst   = 20.0
	pingBuckets = 10000
)

// pingLimiter holds the ping endpoints' limits, in memory: each replica limits what it
// takes, which bounds the database's load from one heartbeat to replicas × the rate.
type pingLimiter struct {
	// targets are keyed by heartbeat id, only for tokens that exist.
	targets *buckets
	// misses are keyed by client address, for tokens that do not.
	misses *buckets
}

func newPingLimiter() *pingLimiter {
	return &pingLimiter{targets: newBuckets(pingRate, pingBurst, pingBuckets), misses: newBuckets(missRate, missBurst, pingBuckets)}
}

// buckets is a token bucket per key, at most size of them: past that, the bucket asked
// of least recently goes, never the whole map, so a flood of new keys cannot reset the
// limit of a key that is still in use.
type buckets struct {
	rate, burst float64
	size        int
	mu          sync.Mutex
	byKey       map[string]*list.Element // of *bucket
	lru         *list.List               // most recently used first
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time
}

func newBuckets(rate, burst float64, size int) *buckets {
	return &buckets{rate: rate, burst: burst, size: size, byKey: map[string]*list.Element{}, lru: list.New()}
}

// allow takes one from key's bucket, or says how long until one is there.
func (l *buckets) allow(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, true)
}

// peek says whether key's bucket has one to take, taking nothing and adding no bucket.
func (l *buckets) peek(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, false)
}

func (l *buckets) take(key string, now time.Time, take bool) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.byKey[key]
	if !ok {
		if !take {
			return true, 0
		}
		if l.lru.Len() >= l.size {
			oldest := l.lru.Back()
			delete(l.byKey, oldest.Value.(*bucket).key)
			l.lru.Remove(oldest)
		}
		el = l.lru.PushFront(&bucket{key: key, tokens: l.burst, at: now})
		l.byKey[key] = el
	}
	b := el.Value.(*bucket)
	tokens := min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	if take {
		// Refused or not, a key still asking is in use: a throttled one stays
		// throttled however many new keys come after it, up to size of them.
		l.lru.MoveToFront(el)
	}
	if tokens < 1 {
		return false, time.Duration((1 - tokens) / l.rate * float64(time.Second))
	}
	if take {
		b.tokens, b.at = tokens-1, now
	}
	return true, 0
}

// regeneratePingToken godoc
//
//	@ID	regeneratePingToken
//	@Summary		Give a heartbeat a new ping URL
//	@Description	Replaces the heartbeat's ping token: the old ping URL answers 404 from now on. Only a heartbeat has one (409 otherwise).
//	@Tags			targets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		int	true	"Target id"	minimum(1)
//	@Success		200	{object}	Target
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Role below editor"
//	@Failure		404	{object}	Problem	"No such target"
//	@Failure		409	{object}	Problem	"The target is not a heartbeat"
//	@Router			/targets/{id}/ping-token [post]
func (a *api) regeneratePingToken(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := a.Store.RegeneratePingToken(c.Request().Context(), id)
	if errors.Is(err, target.ErrNotHeartbeat) {
		return conflict("type", "only a heartbeat has a ping URL")
	}
	if err != nil {
		return err
	}
	// The token itself is a credential: the audit log says it changed, not to what.
	a.record(c, audit.Update, audit.KindTarget, t.ID, t.Name, map[string]audit.Change{"ping_token": {Before: audit.Masked, After: audit.Masked}})
	return c.JSON(http.StatusOK, a.targetView(c, t))
}

// pingGet godoc
//
//	@ID	pingGet
//	@Summary		Ping a heartbeat (GET)
//	@Description	Records a successful check of the heartbeat and moves its deadline. A POST body (the first 10 KB) is kept as the check's message; a /start before it makes the time since its latency. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token} [get]
func (a *api) pingGet(c echo.Context) error { return a.ping(c, pingSuccess, 0) }

// pingHead godoc
//
//	@ID	pingHead
//	@Summary		Ping a heartbeat (HEAD)
//	@Description	Records a successful check of the heartbeat and moves its deadline. A POST body (the first 10 KB) is kept as the check's message; a /start before it makes the time since its latency. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token} [head]
func (a *api) pingHead(c echo.Context) error { return a.ping(c, pingSuccess, 0) }

// pingPost godoc
//
//	@ID	pingPost
//	@Summary		Ping a heartbeat (POST)
//	@Description	Records a successful check of the heartbeat and moves its deadline. A POST body (the first 10 KB) is kept as the check's message; a /start before it makes the time since its latency. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Accept			*/*
//	@Param			body	body		string	false	"Anything, of any type, such as the job's output: the first 10 KB are kept, up to 10 MiB read"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token} [post]
func (a *api) pingPost(c echo.Context) error { return a.ping(c, pingSuccess, 0) }

// pingStartGet godoc
//
//	@ID	pingStartGet
//	@Summary		Mark a heartbeat's run as started (GET)
//	@Description	Records no check and leaves the deadline as it is; the next ping's latency is the time since. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/start [get]
func (a *api) pingStartGet(c echo.Context) error { return a.ping(c, pingStart, 0) }

// pingStartHead godoc
//
//	@ID	pingStartHead
//	@Summary		Mark a heartbeat's run as started (HEAD)
//	@Description	Records no check and leaves the deadline as it is; the next ping's latency is the time since. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/start [head]
func (a *api) pingStartHead(c echo.Context) error { return a.ping(c, pingStart, 0) }

// pingStartPost godoc
//
//	@ID	pingStartPost
//	@Summary		Mark a heartbeat's run as started (POST)
//	@Description	Records no check and leaves the deadline as it is; the next ping's latency is the time since. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Accept			*/*
//	@Param			body	body		string	false	"Anything, of any type, such as the job's output: the first 10 KB are kept, up to 10 MiB read"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/start [post]
func (a *api) pingStartPost(c echo.Context) error { return a.ping(c, pingStart, 0) }

// pingFailGet godoc
//
//	@ID	pingFailGet
//	@Summary		Report a heartbeat's run as failed (GET)
//	@Description	Records a failed check at once (error \"ping: fail\"); a POST body (the first 10 KB) is kept as its message. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/fail [get]
func (a *api) pingFailGet(c echo.Context) error { return a.ping(c, pingFail, 0) }

// pingFailHead godoc
//
//	@ID	pingFailHead
//	@Summary		Report a heartbeat's run as failed (HEAD)
//	@Description	Records a failed check at once (error \"ping: fail\"); a POST body (the first 10 KB) is kept as its message. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/fail [head]
func (a *api) pingFailHead(c echo.Context) error { return a.ping(c, pingFail, 0) }

// pingFailPost godoc
//
//	@ID	pingFailPost
//	@Summary		Report a heartbeat's run as failed (POST)
//	@Description	Records a failed check at once (error \"ping: fail\"); a POST body (the first 10 KB) is kept as its message. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Accept			*/*
//	@Param			body	body		string	false	"Anything, of any type, such as the job's output: the first 10 KB are kept, up to 10 MiB read"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/fail [post]
func (a *api) pingFailPost(c echo.Context) error { return a.ping(c, pingFail, 0) }

// pingExitGet godoc
//
//	@ID	pingExitGet
//	@Summary		Report a heartbeat's run by its exit code (GET)
//	@Description	0 records a success, 1-255 a failure (error \"exit code N\") at once, as /fail does; a POST body (the first 10 KB) is kept as the message. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Param			exit_code	path	int	true	"The job's exit status"	minimum(0)	maximum(255)
//	@Success		200	{string}	string	"OK"
//	@Failure		400	{object}	Problem	"Digits that are no exit code: over 255, or with a leading zero"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/{exit_code} [get]
func (a *api) pingExitGet(c echo.Context) error { return a.pingExitCode(c) }

// pingExitHead godoc
//
//	@ID	pingExitHead
//	@Summary		Report a heartbeat's run by its exit code (HEAD)
//	@Description	0 records a success, 1-255 a failure (error \"exit code N\") at once, as /fail does; a POST body (the first 10 KB) is kept as the message. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Param			exit_code	path	int	true	"The job's exit status"	minimum(0)	maximum(255)
//	@Success		200	{string}	string	"OK"
//	@Failure		400	{object}	Problem	"Digits that are no exit code: over 255, or with a leading zero"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/{exit_code} [head]
func (a *api) pingExitHead(c echo.Context) error { return a.pingExitCode(c) }

// pingExitPost godoc
//
//	@ID	pingExitPost
//	@Summary		Report a heartbeat's run by its exit code (POST)
//	@Description	0 records a success, 1-255 a failure (error \"exit code N\") at once, as /fail does; a POST body (the first 10 KB) is kept as the message. Public: the token is the credential. Answers "OK"; a paused heartbeat answers "OK" and records nothing.
//	@Tags			pings
//	@Produce		plain
//	@Param			token	path		string	true	"The heartbeat's ping token"
//	@Param			exit_code	path	int	true	"The job's exit status"	minimum(0)	maximum(255)
//	@Accept			*/*
//	@Param			body	body		string	false	"Anything, of any type, such as the job's output: the first 10 KB are kept, up to 10 MiB read"
//	@Success		200	{string}	string	"OK"
//	@Failure		400	{object}	Problem	"Digits that are no exit code: over 255, or with a leading zero"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this heartbeat, or unknown tokens from this address; see Retry-After"
//	@Router			/ping/{token}/{exit_code} [post]
func (a *api) pingExitPost(c echo.Context) error { return a.pingExitCode(c) }
