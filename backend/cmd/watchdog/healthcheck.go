package main

import (
	"context"
	"errors"
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
	urls, err := readyzURLs(listenAddr)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// No proxy (the variables are meant for the targets), no redirects, no pooling.
	client := &http.Client{
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for i, u := range urls {
		err = ask(ctx, client, u)
		var opErr *net.OpError
		if err == nil || i == len(urls)-1 || !errors.As(err, &opErr) || opErr.Op != "dial" {
			// An answer, or no loopback address left to try.
			break
		}
	}
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	return nil
}

// ask is one GET /readyz; anything but 200 is an error.
func ask(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

// readyzURLs are where the server listening on listenAddr answers /readyz from this
// machine, in the order to try them. A listener on every address (":8080",
// "0.0.0.0:8080", "[::]:8080") is asked on 127.0.0.1, then on [::1] when nothing
// answers there: Go's [::] listener takes IPv4 too, and containers often run with
// IPv6 disabled, where [::1] cannot be dialled. One on a given host is asked on that
// host.
func readyzURLs(listenAddr string) ([]string, error) {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return nil, fmt.Errorf("LISTEN_ADDR %q: %w", listenAddr, err)
	}
	hosts := []string{host}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		hosts = []string{"127.0.0.1", "::1"}
	}
	urls := make([]string, len(hosts))
	for i, h := range hosts {
		u := url.URL{Scheme: "http", Host: net.JoinHostPort(h, port), Path: "/readyz"}
		urls[i] = u.String()
	}
	return urls, nil
}
