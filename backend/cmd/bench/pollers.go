package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// endpoint is one of the API calls a dashboard makes every few seconds: the targets
// page (a page of the list with its total, the counts by state, the page's heartbeat
// strips) and a target's page (the target, its stats, its recent checks and incidents).
type endpoint int

const (
	epList endpoint = iota
	epStats
	epTargetStats
	epListFilter
	epHeartbeats
	epTarget
	epChecks
	epIncidents
	numEndpoints
)

var endpointNames = [numEndpoints]string{"list", "stats", "target-stats", "list-filter", "heartbeats", "target", "checks", "incidents"}

// listFilters are the list queries a user narrows the targets page with: a state, a
// search, a tag (seed gives every target one of seedTags) and each sort. A poller
// moves to the next one every poll, so every filter is asked for all the time.
var listFilters = []string{
	"status=down", "status=up", "status=paused", "q=bench-12", "tag=" + seedTag(3),
	"sort=status", "sort=-status", "sort=latency", "sort=-checked", "q=bench-4&status=up",
}

// heartbeatIDs is how many targets one heartbeats request asks for: a page.
const heartbeatIDs = 50

// apiLog collects the pollers' answers that started inside the measurement window.
type apiLog struct {
	from, to time.Time

	mu          sync.Mutex
	latencyMS   [numEndpoints][]float64
	ok          [numEndpoints]int
	notModified [numEndpoints]int
	other       [numEndpoints]int
	// loginErrors counts requests not sent because no token could be had.
	loginErrors int
}

func (l *apiLog) add(ep endpoint, started time.Time, took time.Duration, status int) {
	if started.Before(l.from) || !started.Before(l.to) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latencyMS[ep] = append(l.latencyMS[ep], float64(took.Microseconds())/1000)
	switch status {
	case http.StatusOK:
		l.ok[ep]++
	case http.StatusNotModified:
		l.notModified[ep]++
	default:
		l.other[ep]++
	}
}

// loginFailed counts a request dropped for want of a token, unless the run is over.
func (l *apiLog) loginFailed(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	l.mu.Lock()
	l.loginErrors++
	l.mu.Unlock()
}

// tokens is the pollers' one shared login: the login route is rate-limited, and every
// replica accepts every replica's tokens (the signing key is in the database).
type tokens struct {
	client   *http.Client
	base     string
	password string

	mu    sync.Mutex
	token string
}

// get returns the current access token, logging in first if there is none, or if the
// caller saw stale rejected (unless another poller already replaced it).
func (t *tokens) get(ctx context.Context, stale string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.token != stale {
		return t.token, nil
	}
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": t.password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := t.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return "", fmt.Errorf("login: %s: %s", res.Status, b)
	}
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&pair); err != nil || pair.AccessToken == "" {
		return "", fmt.Errorf("login: no access token in the answer (%v)", err)
	}
	t.token = pair.AccessToken
	return t.token, nil
}

// pollers are the API clients of a run.
type pollers struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	log       *apiLog
	transport *http.Transport
}

// startPollers logs in, then starts n clients, each polling once a second with its
// own phase. Each watches one target's statistics, as a user on its page would.
func startPollers(ctx context.Context, n int, replicaURLs []string, password string, ids []int64, from, to time.Time) (*pollers, error) {
	transport := &http.Transport{
		Proxy:               nil, // only 127.0.0.1, whatever the environment says
		MaxIdleConns:        2 * n,
		MaxIdleConnsPerHost: n,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	tok := &tokens{client: client, base: replicaURLs[0], password: password}
	if _, err := tok.get(ctx, ""); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &pollers{cancel: cancel, log: &apiLog{from: from, to: to}, transport: transport}
	for k := range n {
		pl := &poller{
			client: client, tokens: tok, log: p.log, replicas: replicaURLs, next: k,
			etags:  map[string]string{},
			target: ids[rand.N(len(ids))],
			filter: k,
			page:   pageOf(ids, heartbeatIDs),
		}
		offset := time.Duration(k) * time.Second / time.Duration(n)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			pl.loop(ctx, offset)
		}()
	}
	return p, nil
}

// stop ends the polling and waits for every poller.
func (p *pollers) stop() {
	p.cancel()
	p.wg.Wait()
	p.transport.CloseIdleConnections()
}

// poller is one dashboard's worth of API traffic.
type poller struct {
	client   *http.Client
	tokens   *tokens
	log      *apiLog
	replicas []string
	next     int               // round-robin position over the replicas
	etags    map[string]string // path -> ETag of its last 200
	target   int64
	filter   int    // index into listFilters of the next filtered list
	page     string // the heartbeats request's ids, comma-separated
}

// pageOf picks n targets at random, as the ids of one page of the dashboard.
func pageOf(ids []int64, n int) string {
	var b strings.Builder
	for i := range min(n, len(ids)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(ids[rand.N(len(ids))], 10))
	}
	return b.String()
}

func (p *poller) loop(ctx context.Context, offset time.Duration) {
	phase := time.NewTimer(offset)
	defer phase.Stop()
	select {
	case <-ctx.Done():
		return
	case <-phase.C:
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		// The targets page.
		p.get(ctx, epList, "/api/v1/targets?limit=50")
		p.get(ctx, epListFilter, "/api/v1/targets?limit=50&"+listFilters[p.filter%len(listFilters)])
		p.filter++
		p.get(ctx, epStats, "/api/v1/stats")
		p.get(ctx, epHeartbeats, "/api/v1/heartbeats?ids="+p.page)
		// A target's page.
		p.get(ctx, epTarget, fmt.Sprintf("/api/v1/targets/%d", p.target))
		p.get(ctx, epTargetStats, fmt.Sprintf("/api/v1/targets/%d/stats", p.target))
		p.get(ctx, epChecks, fmt.Sprintf("/api/v1/targets/%d/checks?limit=50", p.target))
		p.get(ctx, epIncidents, fmt.Sprintf("/api/v1/targets/%d/incidents?limit=20", p.target))
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// get makes one request, with a fresh login if the token was refused, and logs it.
func (p *poller) get(ctx context.Context, ep endpoint, path string) {
	base := p.replicas[p.next%len(p.replicas)]
	p.next++
	token, err := p.tokens.get(ctx, "")
	if err != nil {
		p.log.loginFailed(ctx)
		return
	}
	started := time.Now()
	status, etag, err := p.do(ctx, base+path, token, p.etags[path])
	if status == http.StatusUnauthorized {
		if token, err = p.tokens.get(ctx, token); err != nil {
			p.log.loginFailed(ctx)
			return
		}
		started = time.Now()
		status, etag, err = p.do(ctx, base+path, token, p.etags[path])
	}
	took := time.Since(started)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return // cut off by the end of the run: says nothing about the API
	}
	p.log.add(ep, started, took, status)
	if status == http.StatusOK && etag != "" {
		p.etags[path] = etag
	}
}

// do sends a GET and reads the whole answer; status 0 means no answer.
func (p *poller) do(ctx context.Context, url, token, ifNoneMatch string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	res, err := p.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = res.Body.Close() }()
	// The latency covers the body, and a drained body lets the connection be reused.
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, "", err
	}
	return res.StatusCode, res.Header.Get("ETag"), nil
}
