package httpapi_test

// The heartbeat ping endpoints through the real server: pings, /start, /fail, exit
// codes, bodies, the per-token limit, and regenerating the token.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// addHeartbeat stores a heartbeat (period 1 h, grace 10 min, thresholds 1/1) straight
// through the store, told to channels.
func addHeartbeat(t *testing.T, s *store.Store, channels ...int64) target.Target {
	t.Helper()
	name := fmt.Sprintf("job-%d", clientIPs.Add(1))
	tg, err := target.New(target.Spec{Name: &name, URL: "https://" + name + ".example.com", ChannelIDs: channels}, target.Limits{MinIntervalSeconds: 30})
	require.NoError(t, err)
	tg.Type, tg.URL, tg.PingToken = target.TypeHeartbeat, "", target.NewPingToken()
	tg.PeriodSeconds, tg.GraceSeconds = 3600, 600
	tg.FailureThreshold, tg.SuccessThreshold = 1, 1
	tg, err = s.CreateTarget(context.Background(), tg)
	require.NoError(t, err)
	return tg
}

// pingReq is a ping of token with an optional suffix (/start, /fail, /3), no credential.
func pingReq(method, token, suffix, body string) request {
	r := request{Method: method, Path: "/api/v1/ping/" + token + suffix, NoAuth: true, Body: body}
	if body != "" {
		r.ContentType = "text/plain"
	}
	return r
}

func lastCheck(t *testing.T, s *store.Store, id int64) target.Check {
	t.Helper()
	checks, err := s.ListChecks(context.Background(), id, nil, 1)
	require.NoError(t, err)
	require.Len(t, checks, 1)
	return checks[0]
}

func TestPings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		status := func(id int64) target.Target {
			got, err := s.GetTarget(ctx, id)
			require.NoError(t, err)
			return got
		}

		t.Run("pings keep it up and set the deadline", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			assert.Nil(t, hb.NextCheckAt)
			for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodHead} {
				res := e.send(t, pingReq(m, hb.PingToken, "", ""))
				require.Equal(t, http.StatusOK, res.Status, "%s: %s", m, res.Body)
				if m == http.MethodHead {
					assert.Empty(t, res.Body, "HEAD answers without a body")
				} else {
					assert.Equal(t, "OK", string(res.Body))
				}
			}
			got := status(hb.ID)
			assert.Equal(t, target.StatusUp, got.LastStatus)
			require.NotNil(t, got.NextCheckAt)
			assert.WithinDuration(t, time.Now().Add(70*time.Minute), *got.NextCheckAt, time.Minute, "last ping + period + grace")
			checks, err := s.ListChecks(ctx, hb.ID, nil, 10)
			require.NoError(t, err)
			assert.Len(t, checks, 3)
		})

		t.Run("/fail is down at once, one incident, one notification", func(t *testing.T) {
			ch, err := s.CreateChannel(ctx, notify.Channel{Name: fmt.Sprintf("ops-%d", clientIPs.Add(1)), Type: "webhook",
				Config: json.RawMessage(`{"url":"https://hooks.example.com/ops"}`)})
			require.NoError(t, err)
			hb := addHeartbeat(t, s, ch.ID)
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status)
			res := e.send(t, pingReq(http.MethodPost, hb.PingToken, "/fail", "disk full"))
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			assert.Equal(t, target.StatusDown, status(hb.ID).LastStatus)
			c := lastCheck(t, s, hb.ID)
			assert.False(t, c.OK)
			assert.Equal(t, "ping: fail", c.Error)
			require.NotNil(t, c.Message)
			assert.Equal(t, "disk full", *c.Message)
			incidents, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: hb.ID, Limit: 10})
			require.NoError(t, err)
			assert.Len(t, incidents, 1)
			ds, err := s.Deliveries(ctx)
			require.NoError(t, err)
			n := 0
			for _, d := range ds {
				if d.ChannelID == ch.ID {
					n++
					assert.Equal(t, "down", d.Event)
				}
			}
			assert.Equal(t, 1, n)
		})

		t.Run("/start then a ping: the run's duration is the latency", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "/start", "")).Status)
			started := status(hb.ID)
			require.NotNil(t, started.RunStartedAt)
			assert.Nil(t, started.NextCheckAt, "/start does not arm or move the deadline")
			checks, err := s.ListChecks(ctx, hb.ID, nil, 10)
			require.NoError(t, err)
			assert.Empty(t, checks, "/start records no check")
			gap := 300 * time.Millisecond
			time.Sleep(gap)
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status)
			c := lastCheck(t, s, hb.ID)
			assert.True(t, c.OK)
			assert.GreaterOrEqual(t, c.LatencyMS, int(gap/time.Millisecond))
			assert.Less(t, c.LatencyMS, int(time.Hour/time.Millisecond))
			assert.Nil(t, status(hb.ID).RunStartedAt)
			// The next ping has no run before it: latency 0.
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status)
			assert.Equal(t, 0, lastCheck(t, s, hb.ID).LatencyMS)
		})

		t.Run("exit codes", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "/0", "")).Status)
			assert.Equal(t, target.StatusUp, status(hb.ID).LastStatus)
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodPost, hb.PingToken, "/3", "oops")).Status)
			assert.Equal(t, target.StatusDown, status(hb.ID).LastStatus)
			assert.Equal(t, "exit code 3", lastCheck(t, s, hb.ID).Error)
			bad := pingReq(http.MethodGet, hb.PingToken, "/256", "")
			bad.InvalidRequest = true
			res := e.send(t, bad)
			assert.Equal(t, http.StatusBadRequest, res.Status)
			assert.Equal(t, []string{"exit_code"}, res.Problem(t).Fields())
			bad = pingReq(http.MethodGet, hb.PingToken, "/nope", "")
			bad.InvalidRequest = true
			res = e.send(t, bad)
			assert.Equal(t, http.StatusNotFound, res.Status)
		})

		t.Run("unknown token", func(t *testing.T) {
			for _, suffix := range []string{"", "/start", "/fail", "/0"} {
				res := e.send(t, pingReq(http.MethodGet, "no-such-token", suffix, ""))
				assert.Equal(t, http.StatusNotFound, res.Status)
				p := res.Problem(t)
				assert.Equal(t, "urn:watchdog:problem:not-found", p.Type)
			}
			web := e.createTarget(t, map[string]any{"name": "web", "url": "https://web.example.com"})
			res := e.send(t, pingReq(http.MethodGet, strconv.FormatInt(web.ID, 10), "", ""))
			assert.Equal(t, http.StatusNotFound, res.Status, "a target that is not a heartbeat has no token")
		})

		t.Run("a 100 KB body is kept to 10 KB", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			body := strings.Repeat("0123456789", 10*1024)
			res := e.send(t, pingReq(http.MethodPost, hb.PingToken, "", body))
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			c := lastCheck(t, s, hb.ID)
			require.NotNil(t, c.Message)
			assert.Equal(t, body[:target.MaxPingMessageBytes], *c.Message)
		})

		t.Run("a paused heartbeat answers OK and records nothing", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			paused := hb
			paused.IsActive = false
			_, err := s.UpdateTarget(ctx, hb, paused)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "/fail", "")).Status)
			checks, err := s.ListChecks(ctx, hb.ID, nil, 10)
			require.NoError(t, err)
			assert.Empty(t, checks)
		})

		t.Run("a flood gets 429 with Retry-After", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			limited := 0
			for range 50 {
				res := e.send(t, pingReq(http.MethodGet, hb.PingToken, "", ""))
				if res.Status == http.StatusTooManyRequests {
					limited++
					secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
					require.NoError(t, err)
					assert.GreaterOrEqual(t, secs, 1)
					assert.Equal(t, "urn:watchdog:problem:rate-limited", res.Problem(t).Type)
				} else {
					require.Equal(t, http.StatusOK, res.Status)
				}
			}
			assert.Positive(t, limited)
			// Another token has its own bucket.
			other := addHeartbeat(t, s)
			assert.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, other.PingToken, "", "")).Status)
		})

		t.Run("regenerating the token", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			path := fmt.Sprintf("/api/v1/targets/%d/ping-token", hb.ID)
			viewer := e.addUser(t, account.RoleViewer)
			res := e.send(t, request{Method: http.MethodPost, Path: path, Token: e.loginAs(t, viewer.Username, adminPass).AccessToken})
			assert.Equal(t, http.StatusForbidden, res.Status)

			res = e.send(t, request{Method: http.MethodPost, Path: path})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			assert.Equal(t, float64(hb.ID), res.Map(t)["id"])
			fresh := status(hb.ID)
			require.NotEqual(t, hb.PingToken, fresh.PingToken)
			assert.Equal(t, http.StatusNotFound, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status, "the old token is gone")
			assert.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, fresh.PingToken, "", "")).Status)

			web := e.createTarget(t, map[string]any{"name": "not-a-heartbeat", "url": "https://web2.example.com"})
			res = e.send(t, request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/targets/%d/ping-token", web.ID)})
			assert.Equal(t, http.StatusConflict, res.Status)
			assert.Equal(t, []string{"type"}, res.Problem(t).Fields())
			res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets/999999/ping-token"})
			assert.Equal(t, http.StatusNotFound, res.Status)
		})
	})
}

// A ping's token is a credential: the request log leaves it out.
func TestPingTokensStayOutOfTheLog(t *testing.T) {
	var logs logtest.Buffer
	s := storetest.SQLite(t)
	e := newEnv(t, s, func(d *httpapi.Deps) { d.Log = slog.New(slog.NewJSONHandler(&logs, nil)) })
	hb := addHeartbeat(t, s)
	require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status)
	require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "/start", "")).Status)
	paths := []any{}
	for _, line := range logs.WithMsg(t, "request") {
		if strings.HasPrefix(line["path"].(string), "/api/v1/ping/") {
			paths = append(paths, line["path"])
		}
	}
	assert.Equal(t, []any{"/api/v1/ping/…", "/api/v1/ping/…/start"}, paths)
	assert.NotContains(t, logs.String(), hb.PingToken)
}

func TestPingEdges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()

		t.Run("a 2 MiB body: recorded, 10 KB kept", func(t *testing.T) {
			body := strings.Repeat("0123456789abcdef", 128*1024)
			for _, chunked := range []bool{false, true} {
				hb := addHeartbeat(t, s)
				r := pingReq(http.MethodPost, hb.PingToken, "/fail", "")
				if chunked {
					r.BodyReader = strings.NewReader(body)
					r.ContentType = "application/octet-stream" // curl --data-binary @- with a header
				} else {
					r.Body = body
					r.ContentType = "application/x-www-form-urlencoded" // curl -d
					// The document takes */* as a string; kin-openapi decodes a form body
					// only into an object, so its check of this one is turned off.
					r.InvalidRequest = true
				}
				res := e.send(t, r)
				require.Equal(t, http.StatusOK, res.Status, "chunked %v: %s", chunked, res.Body)
				c := lastCheck(t, s, hb.ID)
				assert.Equal(t, "ping: fail", c.Error)
				require.NotNil(t, c.Message)
				assert.Len(t, *c.Message, target.MaxPingMessageBytes)
			}
		})

		t.Run("a trailing slash on every ping path", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			for _, suffix := range []string{"/", "/start/", "/fail/", "/0/", "/3/"} {
				r := pingReq(http.MethodGet, hb.PingToken, suffix, "")
				r.OffSpec = true
				res := e.send(t, r)
				assert.Equal(t, http.StatusOK, res.Status, "%s: %s", suffix, res.Body)
			}
			assert.Equal(t, "exit code 3", lastCheck(t, s, hb.ID).Error)
		})

		t.Run("exit codes: digits 0-255 without leading zeros", func(t *testing.T) {
			hb := addHeartbeat(t, s)
			for _, tc := range []struct {
				code string
				want int
			}{
				{"0", http.StatusOK}, {"255", http.StatusOK}, {"1", http.StatusOK},
				{"256", http.StatusBadRequest}, {"007", http.StatusBadRequest}, {"00", http.StatusBadRequest},
				{"1000", http.StatusBadRequest}, {"99999999999999999999999", http.StatusBadRequest},
				{"+5", http.StatusNotFound}, {"-0", http.StatusNotFound}, {"-1", http.StatusNotFound},
				{"5x", http.StatusNotFound}, {"0x1", http.StatusNotFound},
			} {
				r := pingReq(http.MethodGet, hb.PingToken, "/"+tc.code, "")
				r.InvalidRequest = tc.want != http.StatusOK
				res := e.send(t, r)
				assert.Equal(t, tc.want, res.Status, "%s: %s", tc.code, res.Body)
			}
		})

		t.Run("a /start long forgotten is not the next ping's latency", func(t *testing.T) {
			hb := addHeartbeat(t, s) // period 1 h, grace 10 min: forgotten after 12 h 10 min
			require.NoError(t, s.StartRun(ctx, hb.ID, time.Now().Add(-13*time.Hour)))
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status)
			assert.Equal(t, 0, lastCheck(t, s, hb.ID).LatencyMS)
			got, err := s.GetTarget(ctx, hb.ID)
			require.NoError(t, err)
			assert.Nil(t, got.RunStartedAt, "and cleared")

			require.NoError(t, s.StartRun(ctx, hb.ID, time.Now().Add(-11*time.Hour)))
			require.Equal(t, http.StatusOK, e.send(t, pingReq(http.MethodGet, hb.PingToken, "", "")).Status)
			assert.InDelta(t, 11*time.Hour/time.Millisecond, lastCheck(t, s, hb.ID).LatencyMS, float64(time.Minute/time.Millisecond))
		})
	})
}

// Guessing tokens: unknown ones cost no bucket of the per-heartbeat limit, and are
// limited per client address.
func TestPingTokenFloods(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		from := func(r request, ip string) request {
			r.Headers = map[string]string{"X-Forwarded-For": ip}
			return r
		}
		hb := addHeartbeat(t, s)
		throttled := func() bool {
			return e.send(t, from(pingReq(http.MethodGet, hb.PingToken, "", ""), "10.1.0.1")).Status == http.StatusTooManyRequests
		}
		for range 20 {
			if throttled() {
				break
			}
		}
		require.True(t, throttled())

		// 10,000 made-up tokens from as many addresses: sent around the spec check,
		// which has nothing to say about them.
		var wg sync.WaitGroup
		next := make(chan int)
		for range 8 {
			wg.Go(func() {
				for i := range next {
					req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/ping/guessed-token-%010d", e.URL, i), nil)
					if !assert.NoError(t, err) {
						continue
					}
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.2.%d.%d", i>>8&255, i&255))
					res, err := http.DefaultClient.Do(req)
					if assert.NoError(t, err) {
						_, _ = io.Copy(io.Discard, res.Body)
						_ = res.Body.Close()
						assert.Equal(t, http.StatusNotFound, res.StatusCode)
					}
				}
			})
		}
		// Meanwhile the real token keeps pinging: it gets its rate and no more (a
		// bucket dropped and made afresh would let a burst of 10 through).
		start := time.Now()
		stop := make(chan struct{})
		var oks atomic.Int64
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, err := http.NewRequest(http.MethodGet, e.URL+"/api/v1/ping/"+hb.PingToken, nil)
				if !assert.NoError(t, err) {
					return
				}
				req.Header.Set("X-Forwarded-For", "10.1.0.1")
				res, err := http.DefaultClient.Do(req)
				if !assert.NoError(t, err) {
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode == http.StatusOK {
					oks.Add(1)
				}
				time.Sleep(time.Millisecond)
			}
		})
		for i := range 10_001 {
			next <- i
		}
		close(next)
		close(stop)
		wg.Wait()
		budget := time.Since(start).Seconds()*5 + 2
		assert.LessOrEqual(t, float64(oks.Load()), budget, "the flood did not reset the real token's limit")
		// The bucket refills while the flood winds down: pings faster than its rate
		// are refused again (how soon depends on the machine, not on the limiter).
		limitedAgain := false
		for range 100 {
			if limitedAgain = throttled(); limitedAgain {
				break
			}
		}
		assert.True(t, limitedAgain)

		// From one address, unknown tokens soon get 429, without a look-up: 200 of
		// them sent 8 at a time, faster than the 20 a second refilled.
		var limited atomic.Int64
		next = make(chan int)
		for range 8 {
			wg.Go(func() {
				for i := range next {
					req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/ping/guessed-token-%010d", e.URL, i), nil)
					if !assert.NoError(t, err) {
						continue
					}
					req.Header.Set("X-Forwarded-For", "10.3.0.1")
					res, err := http.DefaultClient.Do(req)
					if !assert.NoError(t, err) {
						continue
					}
					_, _ = io.Copy(io.Discard, res.Body)
					_ = res.Body.Close()
					if res.StatusCode == http.StatusTooManyRequests {
						limited.Add(1)
						assert.NotEmpty(t, res.Header.Get("Retry-After"))
					} else {
						assert.Equal(t, http.StatusNotFound, res.StatusCode)
					}
				}
			})
		}
		for i := range 200 {
			next <- i
		}
		close(next)
		wg.Wait()
		assert.Positive(t, limited.Load())
		r := from(pingReq(http.MethodGet, "guessed-token-yyyyyyyyyy", "", ""), "10.3.0.1")
		if res := e.send(t, r); res.Status == http.StatusTooManyRequests {
			assert.Equal(t, "urn:watchdog:problem:rate-limited", res.Problem(t).Type)
		}
		assert.Equal(t, http.StatusNotFound, e.send(t, from(pingReq(http.MethodGet, "guessed-token-xxxxxxxxxx", "", ""), "10.3.0.2")).Status,
			"another address has its own budget")
	})
}
