package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// healthcheckTimeout bounds `watchdog healthcheck`: a container health check gives it
// about five seconds, and a server that takes longer to say it is ready is not.
const healthcheckTimeout = 3 * time.Second

// healthcheck asks the server listening on listenAddr on this machine whether it is
// ready (GET /readyz: the database answers). It exists because the distroless image
// has no shell, curl or wget for a container HEALTHCHECK; so it reads nothing but the
// address, and opens no database.
func healthcheck(ctx context.Context, listenAddr string, timeout time.Duration) error {
	u, err := readyzURL(listenAddr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// No proxy (the variables are meant for the targets), no redirects, no pooling.
	client := &http.Client{
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: %s", u, resp.Status)
	}
	return nil
}

// readyzURL is where the server listening on listenAddr answers /readyz from this
// machine: a listener on every address (":8080", "0.0.0.0:8080", "[::]:8080") is
// asked on loopback, one on a given host on that host.
func readyzURL(listenAddr string) (string, error) {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "", fmt.Errorf("LISTEN_ADDR %q: %w", listenAddr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/readyz"}
	return u.String(), nil
}
