package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	promql "github.com/prometheus/prometheus/promql/parser"
)

// Catalog is what the server exports, read from the source of its metrics package, so
// a metric renamed there fails the dashboard check instead of leaving a panel empty.
type Catalog struct {
	// Metrics are the series names: counters and gauges as declared, histograms as
	// their _bucket, _sum and _count series (and the bare name, for native histograms).
	Metrics map[string]bool
	// Histograms are the declared histogram names.
	Histograms map[string]bool
	// Labels are every lower-case identifier-like string literal of the package: a
	// superset of its label names, good enough to catch a misspelt one.
	Labels map[string]bool
}

var (
	metricName = regexp.MustCompile(`^watchdog_[a-z0-9_]+$`)
	labelName  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// runtimeMetrics are the client_golang Go and process collectors' series a dashboard
// may use, allowed when the package registers those collectors.
var runtimeMetrics = map[string][]string{
	"NewGoCollector":      {"go_goroutines", "go_threads", "go_memstats_heap_inuse_bytes", "go_memstats_alloc_bytes", "go_gc_duration_seconds"},
	"NewProcessCollector": {"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds", "process_start_time_seconds"},
}

// LoadCatalog parses the non-test Go files of dir (backend/internal/metrics).
func LoadCatalog(dir string) (Catalog, error) {
	c := Catalog{Metrics: map[string]bool{}, Histograms: map[string]bool{}, Labels: map[string]bool{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return c, err
	}
	fset := token.NewFileSet()
	descFields := map[string]string{} // struct field → the metric name of the Desc it holds
	var constHistogramFields []string // fields passed to MustNewConstHistogram
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return c, fmt.Errorf("parse %s: %w", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, ok := stringLit(n); ok {
					switch {
					case metricName.MatchString(s):
						c.Metrics[s] = true
					case labelName.MatchString(s):
						c.Labels[s] = true
					}
				}
			case *ast.KeyValueExpr:
				// field: prometheus.NewDesc("watchdog_…", …)
				if key, ok := n.Key.(*ast.Ident); ok {
					if call, ok := n.Value.(*ast.CallExpr); ok && callName(call) == "NewDesc" && len(call.Args) > 0 {
						if s, ok := stringLit(call.Args[0]); ok {
							descFields[key.Name] = s
						}
					}
				}
			case *ast.CallExpr:
				switch name := callName(n); name {
				case "NewHistogram", "NewHistogramVec":
					if len(n.Args) > 0 {
						if s, ok := optsName(n.Args[0]); ok {
							c.Histograms[s] = true
						}
					}
				case "MustNewConstHistogram", "NewConstHistogram":
					if len(n.Args) > 0 {
						if sel, ok := n.Args[0].(*ast.SelectorExpr); ok {
							constHistogramFields = append(constHistogramFields, sel.Sel.Name)
						}
					}
				default:
					for _, m := range runtimeMetrics[name] {
						c.Metrics[m] = true
					}
				}
			}
			return true
		})
	}
	for _, field := range constHistogramFields {
		if s, ok := descFields[field]; ok {
			c.Histograms[s] = true
		}
	}
	for h := range c.Histograms {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			c.Metrics[h+suffix] = true
		}
	}
	if len(c.Metrics) < 5 || len(c.Histograms) == 0 {
		return c, fmt.Errorf("%s: found %d metric names and %d histograms; has the package moved?", dir, len(c.Metrics), len(c.Histograms))
	}
	return c, nil
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func callName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		return fn.Sel.Name
	case *ast.Ident:
		return fn.Name
	}
	return ""
}

// optsName is the Name of a prometheus.CounterOpts{Name: "…"} (or Gauge-, Histogram-) literal.
func optsName(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return "", false
	}
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Name" {
				return stringLit(kv.Value)
			}
		}
	}
	return "", false
}

// The parts of a Grafana dashboard the check reads; everything else is left alone.
type (
	dashboardJSON struct {
		ID            any                           `json:"id"`
		UID           string                        `json:"uid"`
		Title         string                        `json:"title"`
		SchemaVersion int                           `json:"schemaVersion"`
		Inputs        []inputJSON                   `json:"__inputs"`
		Templating    struct{ List []variableJSON } `json:"templating"`
		Panels        []panelJSON                   `json:"panels"`
	}
	inputJSON struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		PluginID string `json:"pluginId"`
	}
	variableJSON struct {
		Name       string          `json:"name"`
		Type       string          `json:"type"`
		Query      json.RawMessage `json:"query"`
		Datasource *datasourceJSON `json:"datasource"`
	}
	datasourceJSON struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	panelJSON struct {
		ID         int             `json:"id"`
		Type       string          `json:"type"`
		Title      string          `json:"title"`
		GridPos    *gridPosJSON    `json:"gridPos"`
		Datasource *datasourceJSON `json:"datasource"`
		Targets    []targetJSON    `json:"targets"`
		Panels     []panelJSON     `json:"panels"` // a collapsed row's
	}
	gridPosJSON struct{ X, Y, W, H int }
	targetJSON  struct {
		RefID      string          `json:"refId"`
		Expr       string          `json:"expr"`
		Datasource *datasourceJSON `json:"datasource"`
	}
)

// dsInput is the datasource input the dashboard is imported with, and the name of the
// datasource variable that stands for it when the file is provisioned as it is.
const dsInput = "DS_PROMETHEUS"

// panelTypes are Grafana's core panels; a plugin panel would need installing first.
var panelTypes = map[string]bool{"row": true, "timeseries": true, "stat": true, "gauge": true,
	"bargauge": true, "table": true, "text": true, "heatmap": true, "piechart": true, "state-timeline": true}

// DashboardReport is what the check found, for the summary line.
type DashboardReport struct {
	Panels  int
	Queries int
	// Used are the metric names the queries read.
	Used map[string]bool
}

// CheckDashboard checks a Grafana dashboard file: it parses; it is importable (a
// DS_PROMETHEUS input, and a datasource variable of that name so that file
// provisioning works too; no fixed datasource uid); panel ids are unique; every panel
// has a gridPos inside the 24 columns and none overlap; every query reads only
// metrics and labels the server exports, and variables the dashboard defines.
func CheckDashboard(data []byte, cat Catalog) (DashboardReport, error) {
	rep := DashboardReport{Used: map[string]bool{}}
	var d dashboardJSON
	if err := json.Unmarshal(data, &d); err != nil {
		return rep, fmt.Errorf("not JSON: %w", err)
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if d.Title == "" {
		fail("no title")
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`).MatchString(d.UID) {
		fail("uid %q: 1 to 40 letters, digits, - or _ (Grafana's limit), so links to the dashboard stay stable", d.UID)
	}
	if d.ID != nil {
		fail("id is %v: leave it null, or an import overwrites whichever dashboard has that id", d.ID)
	}
	if d.SchemaVersion < 36 {
		fail("schemaVersion %d: 36 or later (Grafana 9+) expected", d.SchemaVersion)
	}
	if !slices.ContainsFunc(d.Inputs, func(in inputJSON) bool {
		return in.Name == dsInput && in.Type == "datasource" && in.PluginID == "prometheus"
	}) {
		fail("__inputs has no %s datasource input for prometheus (Grafana asks for it on import)", dsInput)
	}

	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
	}
	if !slices.ContainsFunc(d.Templating.List, func(v variableJSON) bool {
		return v.Name == dsInput && v.Type == "datasource" && strings.Contains(string(v.Query), "prometheus")
	}) {
		fail("templating has no datasource variable %s of type prometheus (a provisioned file resolves ${%s} through it)", dsInput, dsInput)
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		checkDatasource(fmt.Sprintf("variable %s", v.Name), v.Datasource, true, fail)
		q := variableQuery(v.Query)
		m := regexp.MustCompile(`^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`).FindStringSubmatch(strings.TrimSpace(q))
		if m == nil {
			fail("variable %s: query %q: expected label_values(selector, label)", v.Name, q)
			continue
		}
		checkExpr(fmt.Sprintf("variable %s", v.Name), m[1], cat, vars, rep.Used, fail)
		if !knownLabel(m[2], cat) {
			fail("variable %s: label %q is not one the server exports", v.Name, m[2])
		}
	}

	ids := map[int]string{}
	var walk func(panels []panelJSON, nested bool)
	walk = func(panels []panelJSON, nested bool) {
		for i, p := range panels {
			name := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			rep.Panels++
			if p.ID <= 0 {
				fail("%s: id must be a positive integer", name)
			} else if other, dup := ids[p.ID]; dup {
				fail("%s: id %d is also %q's", name, p.ID, other)
			}
			ids[p.ID] = p.Title
			if p.Title == "" {
				fail("panel %d: no title", p.ID)
			}
			if !panelTypes[p.Type] {
				fail("%s: type %q is not a core Grafana panel", name, p.Type)
			}
			if g := p.GridPos; g == nil {
				fail("%s: no gridPos", name)
			} else if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
				fail("%s: gridPos %+v is outside the 24-column grid", name, *g)
			}
			for _, q := range panels[:i] {
				if p.GridPos != nil && q.GridPos != nil && overlap(*p.GridPos, *q.GridPos) {
					fail("%s overlaps panel %d %q", name, q.ID, q.Title)
				}
			}
			if p.Type == "row" {
				if len(p.Targets) > 0 {
					fail("%s: a row has no queries", name)
				}
				if nested {
					fail("%s: a row inside a row", name)
				}
				walk(p.Panels, true)
				continue
			}
			if p.Type == "text" {
				continue
			}
			checkDatasource(name, p.Datasource, true, fail)
			if len(p.Targets) == 0 {
				fail("%s: no queries", name)
			}
			refs := map[string]bool{}
			for _, t := range p.Targets {
				rep.Queries++
				where := fmt.Sprintf("%s query %s", name, t.RefID)
				if t.RefID == "" || refs[t.RefID] {
					fail("%s: refId empty or used twice", where)
				}
				refs[t.RefID] = true
				checkDatasource(where, t.Datasource, false, fail)
				checkExpr(where, t.Expr, cat, vars, rep.Used, fail)
			}
		}
	}
	walk(d.Panels, false)
	return rep, errors.Join(errs...)
}

func checkDatasource(where string, ds *datasourceJSON, required bool, fail func(string, ...any)) {
	if ds == nil {
		if required {
			fail("%s: no datasource (set {type: prometheus, uid: ${%s}})", where, dsInput)
		}
		return
	}
	if ds.Type != "prometheus" || ds.UID != "${"+dsInput+"}" {
		fail("%s: datasource %+v: want {type: prometheus, uid: ${%s}}, not a fixed uid from one Grafana", where, *ds, dsInput)
	}
}

func variableQuery(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.Query
}

func overlap(a, b gridPosJSON) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// promParser is Prometheus's own PromQL parser, with the default functions.
var promParser = promql.NewParser(promql.Options{})

var (
	promVar = regexp.MustCompile(`\$\{?(\w+)(?::\w+)?\}?`)
	// Labels every scraped series has, or that a histogram's buckets have.
	targetLabels = map[string]bool{"job": true, "instance": true, "le": true, "namespace": true,
		"pod": true, "service": true, "container": true, "endpoint": true}
	// Grafana's own variables, and what stands in for each when the query is parsed.
	grafanaVars = map[string]string{"__rate_interval": "5m", "__interval": "1m", "__range": "1h",
		"__interval_ms": "60000", "__range_s": "3600", "__range_ms": "3600000"}
)

func knownLabel(name string, cat Catalog) bool { return targetLabels[name] || cat.Labels[name] }

// infoLabels are labels the server puts on one info series only, never on the series
// they describe (a target's name is editable: on every per-target series, a rename
// would start them all anew). A query that uses one must read that info metric, joined
// with `* on(…, target_id) group_left(name) watchdog_target_info`.
var infoLabels = map[string]string{"name": "watchdog_target_info"}

// checkExpr parses a query with Prometheus's parser (the dashboard's variables stood in
// for), then fails it when it reads a metric or label the server does not export, or
// refers to a variable the dashboard does not define.
func checkExpr(where, expr string, cat Catalog, vars, used map[string]bool, fail func(string, ...any)) {
	if strings.TrimSpace(expr) == "" {
		fail("%s: empty expr", where)
		return
	}
	for _, m := range promVar.FindAllStringSubmatch(expr, -1) {
		if _, builtin := grafanaVars[m[1]]; !vars[m[1]] && !builtin {
			fail("%s: variable $%s is not defined by the dashboard", where, m[1])
		}
	}
	// The dashboard's own variables appear only inside label matchers' strings.
	text := promVar.ReplaceAllStringFunc(expr, func(v string) string {
		if s, ok := grafanaVars[promVar.FindStringSubmatch(v)[1]]; ok {
			return s
		}
		return "x"
	})
	ast, err := promParser.ParseExpr(text)
	if err != nil {
		fail("%s: PromQL: %v", where, err)
		return
	}
	var labelsUsed []string
	metrics := 0
	read := map[string]bool{} // the metrics this query reads
	promql.Inspect(ast, func(node promql.Node, _ []promql.Node) error {
		switch n := node.(type) {
		case *promql.VectorSelector:
			for _, m := range n.LabelMatchers {
				if m.Name != "__name__" {
					labelsUsed = append(labelsUsed, m.Name)
				}
			}
			switch {
			case n.Name == "":
				fail("%s: a selector without a metric name reads every series it matches", where)
			case cat.Metrics[n.Name]:
				metrics++
				used[n.Name] = true
				read[n.Name] = true
			default:
				fail("%s: metric %q is not exported by the server (backend/internal/metrics)", where, n.Name)
			}
		case *promql.AggregateExpr:
			labelsUsed = append(labelsUsed, n.Grouping...)
		case *promql.BinaryExpr:
			if vm := n.VectorMatching; vm != nil {
				labelsUsed = append(append(labelsUsed, vm.MatchingLabels...), vm.Include...)
				if slices.ContainsFunc(vm.Include, func(l string) bool { _, ok := infoLabels[l]; return ok }) &&
					!slices.Contains(vm.MatchingLabels, "instance") && !onePerTarget(n.RHS) {
					fail("%s: %s: right after a rename two replicas may report different names for a target, and the join is many-to-many: join on(instance, target_id), or against topk by (target_id) (1, …)", where, n.String())
				}
			}
		}
		return nil
	})
	if metrics == 0 {
		fail("%s: %q reads no metric the server exports", where, expr)
	}
	for _, l := range labelsUsed {
		if !knownLabel(l, cat) {
			fail("%s: label %q is not one the server exports", where, l)
		}
	}
	for _, l := range slices.Compact(slices.Sorted(slices.Values(labelsUsed))) {
		if info, ok := infoLabels[l]; ok && !read[info] {
			fail("%s: label %q is only on %s: join it with * on(instance, target_id) group_left(%s) %s", where, l, info, l, info)
		}
	}
}

// onePerTarget tells whether e is `topk by (target_id) (1, …)` (or bottomk), possibly
// in parentheses: one series per target_id whatever the replicas report, so a
// group_left join on target_id alone against it cannot be many-to-many.
func onePerTarget(e promql.Expr) bool {
	for {
		p, ok := e.(*promql.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	agg, ok := e.(*promql.AggregateExpr)
	if !ok || (agg.Op != promql.TOPK && agg.Op != promql.BOTTOMK) || agg.Without || !slices.Equal(agg.Grouping, []string{"target_id"}) {
		return false
	}
	k, ok := agg.Param.(*promql.NumberLiteral)
	return ok && k.Val == 1
}

// readFile is os.ReadFile with the path in the error.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}
