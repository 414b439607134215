package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The fleet's profiles.
const (
	profileInstant   = "instant"
	profileRealistic = "realistic"
)

// behaviour is how one target answers.
type behaviour int

const (
	answerNow  behaviour = iota // 200 at once
	answerFast                  // 200 after about 100 ms
	answerSlow                  // 200 after 1 to 3 s
	answerHang                  // never answers; the checker gives up
	answerFail                  // 503, which the product retries
)

// behaviourOf decides a target's behaviour from its index alone, so every run and
// every replica sees the same mix: 2% hang, 10% slow, 1% fail, the rest fast.
func behaviourOf(profile string, i int) behaviour {
	if profile == profileInstant {
		return answerNow
	}
	switch h := splitmix64(uint64(i)) % 10000; {
	case h < 200:
		return answerHang
	case h < 1200:
		return answerSlow
	case h < 1300:
		return answerFail
	default:
		return answerFast
	}
}

// splitmix64 scatters consecutive indexes, so the slow and failing targets are spread
// over the fleet rather than bunched at the low indexes.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hangCap bounds a hanging answer in case a client never gives up.
const hangCap = 5 * time.Minute

// arrivalShards spreads the arrival log's locks, so thousands of concurrent requests
// do not queue on one mutex.
const arrivalShards = 64

// fleet is the set of local HTTP servers the targets point at. It logs when each
// request for each target arrived: that is the measurement the product cannot fake.
type fleet struct {
	profile string
	servers []*http.Server
	addrs   []string
	serving sync.WaitGroup
	// stop ends every pending answer at once when the fleet closes.
	stop     chan struct{}
	stopOnce sync.Once

	locks [arrivalShards]sync.Mutex
	// arrivals[i] holds unix nanos of target i's requests, guarded by locks[i%shards].
	arrivals [][]int64
	first    atomic.Int64 // unix nanos of the first request of all, 0 before it
	stray    atomic.Int64 // requests for paths that are not targets
}

// startFleet starts listeners servers on 127.0.0.1 for n targets.
func startFleet(profile string, listeners, n int) (*fleet, error) {
	f := &fleet{profile: profile, stop: make(chan struct{}), arrivals: make([][]int64, n)}
	for range listeners {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.close()
			return nil, fmt.Errorf("fleet listen: %w", err)
		}
		srv := &http.Server{
			Handler:           http.HandlerFunc(f.serve),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			// Accept errors under load are the client's problem to report, not ours.
			ErrorLog: log.New(io.Discard, "", 0),
		}
		f.servers = append(f.servers, srv)
		f.addrs = append(f.addrs, ln.Addr().String())
		f.serving.Add(1)
		go func() {
			defer f.serving.Done()
			_ = srv.Serve(ln) // returns ErrServerClosed at close
		}()
	}
	return f, nil
}

// url is target i's address: the targets are dealt round the servers.
func (f *fleet) url(i int) string {
	return fmt.Sprintf("http://%s/t/%d", f.addrs[i%len(f.addrs)], i)
}

func (f *fleet) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now().UnixNano()
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/t/"))
	if err != nil || i < 0 || i >= len(f.arrivals) || !strings.HasPrefix(r.URL.Path, "/t/") {
		f.stray.Add(1)
		http.NotFound(w, r)
		return
	}
	f.arrive(i, now)

	switch behaviourOf(f.profile, i) {
	case answerFast:
		if !f.pause(r, 80*time.Millisecond+rand.N(40*time.Millisecond)) {
			return
		}
	case answerSlow:
		if !f.pause(r, time.Second+rand.N(2*time.Second)) {
			return
		}
	case answerHang:
		f.pause(r, hangCap)
		return
	case answerFail:
		http.Error(w, "bench: failing target", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ok\n")
}

// arrive logs a request (or a DNS question) for target i at now, in unix nanos.
func (f *fleet) arrive(i int, now int64) {
	f.noteFirst(now)
	mu := &f.locks[i%arrivalShards]
	mu.Lock()
	f.arrivals[i] = append(f.arrivals[i], now)
	mu.Unlock()
}

// noteFirst keeps the first arrival of all, whatever its type, for the start-up
// figure.
func (f *fleet) noteFirst(now int64) { f.first.CompareAndSwap(0, now) }

// pause waits d on a timer, and reports false when the client or the fleet gave up
// first.
func (f *fleet) pause(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-f.stop:
	}
	return false
}

// close ends pending answers, stops the servers and waits for them. Arrivals can be
// read safely afterwards.
func (f *fleet) close() {
	f.stopOnce.Do(func() { close(f.stop) })
	for _, srv := range f.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = srv.Close()
		}
		cancel()
	}
	f.serving.Wait()
}

// sortedArrivals returns target i's arrivals in time order. Requests handled side by
// side may have appended slightly out of order.
func (f *fleet) sortedArrivals(i int) []int64 {
	mu := &f.locks[i%arrivalShards]
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(f.arrivals[i])
	return f.arrivals[i]
}

// firstArrival is when the fleet saw its first request, or the zero time.
func (f *fleet) firstArrival() time.Time {
	n := f.first.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
