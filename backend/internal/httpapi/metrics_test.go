package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/watchdog-monitor/watchdog/backend/internal/metrics"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// newMetricsServer is a small Echo set up as New sets up the real one where metrics
// are concerned: the API's error handler, the middleware, a few routes and /metrics.
func newMetricsServer(t *testing.T, m *metrics.Metrics, token string) *httptest.Server {
	t.Helper()
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(slog.New(slog.DiscardHandler), nil)
	e.Use(metricsMiddleware(m))
	e.GET("/api/v1/targets/:id", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	e.GET("/api/v1/gone/:id", func(echo.Context) error { return target.ErrNotFound })
	e.GET("/api/v1/fail", func(echo.Context) error { return echo.NewHTTPError(http.StatusServiceUnavailable) })
	e.GET("/metrics", metricsHandler(m, token))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func metricsRequest(t *testing.T, method, url, authorization string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if authorization != "" {
		req.Header.Set(echo.HeaderAuthorization, authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return res
}

func TestMetricsMiddleware(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	srv := newMetricsServer(t, m, "")
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/targets/123"},
		{http.MethodGet, "/api/v1/targets/456"},
		{http.MethodGet, "/api/v1/gone/7"},
		{http.MethodGet, "/api/v1/fail"},
		{http.MethodPost, "/api/v1/targets/123"},
		{http.MethodGet, "/no/such/page"},
	} {
		res := metricsRequest(t, r.method, srv.URL+r.path, "")
		_ = res.Body.Close()
	}

	res := metricsRequest(t, http.MethodGet, srv.URL+"/metrics", "")
	defer func() { _ = res.Body.Close() }()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}

	tests := []struct {
		name   string
		method string
		route  string
		code   string
		want   float64
	}{
		{"pattern, not path", "GET", "/api/v1/targets/:id", "200", 2},
		{"domain error's status from the error handler", "GET", "/api/v1/gone/:id", "404", 1},
		{"echo error's status", "GET", "/api/v1/fail", "503", 1},
		{"method not allowed keeps the pattern", "POST", "/api/v1/targets/:id", "405", 1},
		{"no route", "GET", "unmatched", "404", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := map[string]string{"method": tt.method, "route": tt.route, "code": tt.code}
			got := metricsSeries(fams, "watchdog_http_requests_total", labels)
			if got == nil {
				t.Fatalf("no series watchdog_http_requests_total%v", labels)
			}
			if v := got.GetCounter().GetValue(); v != tt.want {
				t.Errorf("watchdog_http_requests_total%v = %v, want %v", labels, v, tt.want)
			}
		})
	}
	for _, mt := range fams["watchdog_http_requests_total"].GetMetric() {
		for _, l := range mt.GetLabel() {
			if l.GetName() == "route" && (strings.Contains(l.GetValue(), "123") || strings.Contains(l.GetValue(), "no/such")) {
				t.Errorf("raw path as route label: %q", l.GetValue())
			}
		}
	}
	d := metricsSeries(fams, "watchdog_http_request_duration_seconds",
		map[string]string{"method": "GET", "route": "/api/v1/targets/:id"})
	if d == nil || d.GetHistogram().GetSampleCount() != 2 {
		t.Errorf("request duration for /api/v1/targets/:id = %v, want 2 samples", d)
	}
}

func TestMetricsHandlerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		token          string
		authorization  string
		expectedStatus int
	}{
		{name: "no token configured", expectedStatus: http.StatusOK},
		{name: "no token configured, one sent anyway", authorization: "Bearer whatever", expectedStatus: http.StatusOK},
		{name: "token missing", token: "s3cret-token", expectedStatus: http.StatusUnauthorized},
		{name: "token wrong", token: "s3cret-token", authorization: "Bearer s3cret-tokem", expectedStatus: http.StatusUnauthorized},
		{name: "token prefix", token: "s3cret-token", authorization: "Bearer s3cret", expectedStatus: http.StatusUnauthorized},
		{name: "wrong scheme", token: "s3cret-token", authorization: "Basic s3cret-token", expectedStatus: http.StatusUnauthorized},
		{name: "scheme only", token: "s3cret-token", authorization: "Bearer", expectedStatus: http.StatusUnauthorized},
		{name: "token right", token: "s3cret-token", authorization: "Bearer s3cret-token", expectedStatus: http.StatusOK},
		{name: "scheme in any case", token: "s3cret-token", authorization: "bearer s3cret-token", expectedStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newMetricsServer(t, metrics.New(metrics.Options{}), tt.token)
			res := metricsRequest(t, http.MethodGet, srv.URL+"/metrics", tt.authorization)
			defer func() { _ = res.Body.Close() }()
			if res.StatusCode != tt.expectedStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.expectedStatus)
			}
			switch tt.expectedStatus {
			case http.StatusUnauthorized:
				if h := res.Header.Get(echo.HeaderWWWAuthenticate); !strings.HasPrefix(h, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", h)
				}
			case http.StatusOK:
				p := expfmt.NewTextParser(model.UTF8Validation)
				fams, err := p.TextToMetricFamilies(res.Body)
				if err != nil {
					t.Fatalf("parse scrape: %v", err)
				}
				if fams["go_goroutines"] == nil {
					t.Error("scrape without go_goroutines")
				}
			}
		})
	}
}

// metricsSeries returns the series of family name whose labels are exactly want.
func metricsSeries(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	for _, m := range fams[name].GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}
