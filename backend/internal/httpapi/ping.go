package httpapi

// The heartbeat ping endpoints, public like Healthchecks' (the token in the path is
// the credential): /ping/{token} records a successful check, /start marks a run as
// started, /fail and /{exit_code} (1-255) record a failure at once. Each takes GET,
// HEAD or POST and answers "OK". Pings are limited per token, per replica, so one
// runaway job cannot flood the database.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
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

// ping handles every ping: rate limit, look-up by the unique token, then the action.
// A paused heartbeat answers OK and records nothing: monitoring is off, and the job
// (whose curl -f would report an error) has done nothing wrong. /start records no check
// and does not move the deadline (Healthchecks does not either): a run that starts
// and never finishes fails at the deadline its last ping set.
func (a *api) ping(c echo.Context, action pingAction, exitCode int) error {
	token := c.Param("token")
	if !target.ValidPingToken(token) { // refused before it costs a query or a rate-limit entry
		return notFoundProblem("ping token")
	}
	if ok, wait := a.pings.allow(token, time.Now()); !ok {
		secs := max(1, int(wait.Seconds()+0.999))
		return &problem{status: http.StatusTooManyRequests, slug: "rate-limited", title: "Too many requests",
			detail: fmt.Sprintf("too many pings for this token; try again in %d s", secs),
			header: http.Header{"Retry-After": {strconv.Itoa(secs)}}}
	}
	ctx := c.Request().Context()
	t, err := a.Store.TargetByPingToken(ctx, token)
	if errors.Is(err, target.ErrNotFound) {
		return notFoundProblem("ping token")
	}
	if err != nil {
		return err
	}
	if !t.IsActive {
		return pingOK(c)
	}
	now := time.Now()
	if action == pingStart {
		if err := a.Store.StartRun(ctx, t.ID, now); err != nil && !errors.Is(err, target.ErrNotFound) {
			return err
		}
		return pingOK(c)
	}
	chk := target.Check{TargetID: t.ID, CheckedAt: now, OK: true, Attempts: 1}
	if t.RunStartedAt != nil && !t.RunStartedAt.After(now) {
		chk.LatencyMS = int(min(now.Sub(*t.RunStartedAt), target.MaxPeriodSeconds*time.Second) / time.Millisecond)
	}
	switch {
	case action == pingFail:
		chk.OK, chk.Error = false, "ping: fail"
	case exitCode != 0:
		chk.OK, chk.Error = false, fmt.Sprintf("exit code %d", exitCode)
	}
	if c.Request().Method == http.MethodPost {
		msg, err := readPingBody(c.Request().Body)
		if err != nil {
			return err
		}
		chk.Message = msg
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

// readPingBody keeps the first MaxPingMessageBytes of a body (the server already
// refuses one over 1 MiB) and reads the rest away, so the client sees its whole body
// taken rather than a reset connection.
func readPingBody(body io.Reader) (*string, error) {
	head, err := io.ReadAll(io.LimitReader(body, target.MaxPingMessageBytes+4))
	if err != nil {
		return nil, fmt.Errorf("read ping body: %w", err)
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return nil, fmt.Errorf("read ping body: %w", err)
	}
	return target.PingMessage(head), nil
}

// pingPrefix starts every ping path.
const pingPrefix = "/api/v1/ping/"

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

// exitCode reads the {exit_code} of /ping/{token}/{exit_code}: 0 is success and 1-255
// failure, as a shell's $? is; a number outside that is a 400, and anything not a
// number is no such endpoint (404), as with Healthchecks.
func (a *api) pingExitCode(c echo.Context) error {
	raw := c.Param("exit_code")
	code, err := strconv.Atoi(raw)
	if err != nil {
		return notFoundProblem("ping endpoint")
	}
	if code < 0 || code > 255 {
		return badRequest("exit_code", "must be a whole number from 0 to 255")
	}
	return a.ping(c, pingSuccess, code)
}

// Per-token ping limit: 5 a second, bursts of 10. Healthchecks-style jobs ping a few
// times a run; past that, pings are a loop gone wrong.
const (
	pingRate    = 5.0
	pingBurst   = 10.0
	pingBuckets = 10000
)

// pingLimiter is a token bucket per ping token, in memory: each replica limits what
// it takes, which bounds the database's load from one token to replicas × the rate.
// The map is bounded: past pingBuckets tokens, full (idle) buckets are dropped, and if
// that frees nothing the map starts over, which at worst lets a burst through.
type pingLimiter struct {
	mu      sync.Mutex
	buckets map[string]*pingBucket
}

type pingBucket struct {
	tokens float64
	at     time.Time
}

func newPingLimiter() *pingLimiter { return &pingLimiter{buckets: map[string]*pingBucket{}} }

// allow takes one ping from key's bucket, or says how long until one is there.
func (l *pingLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= pingBuckets {
			l.prune(now)
		}
		b = &pingBucket{tokens: pingBurst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(pingBurst, b.tokens+now.Sub(b.at).Seconds()*pingRate)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / pingRate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// prune drops the buckets that have filled up again (they remember nothing), or all
// of them when none has.
func (l *pingLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*pingRate >= pingBurst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= pingBuckets {
		clear(l.buckets)
	}
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
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Accept			plain
//	@Param			body	body		string	false	"Anything, such as the job's output; the first 10 KB are kept"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Accept			plain
//	@Param			body	body		string	false	"Anything, such as the job's output; the first 10 KB are kept"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Accept			plain
//	@Param			body	body		string	false	"Anything, such as the job's output; the first 10 KB are kept"
//	@Success		200	{string}	string	"OK"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		400	{object}	Problem	"An exit code outside 0-255"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Failure		400	{object}	Problem	"An exit code outside 0-255"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
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
//	@Accept			plain
//	@Param			body	body		string	false	"Anything, such as the job's output; the first 10 KB are kept"
//	@Success		200	{string}	string	"OK"
//	@Failure		400	{object}	Problem	"An exit code outside 0-255"
//	@Failure		404	{object}	Problem	"No heartbeat has this token"
//	@Failure		429	{object}	Problem	"Too many pings for this token; see Retry-After"
//	@Router			/ping/{token}/{exit_code} [post]
func (a *api) pingExitPost(c echo.Context) error { return a.pingExitCode(c) }
