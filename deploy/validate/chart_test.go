package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// chartDir is the chart, from this module's directory.
const chartDir = "../helm/watchdog"

// kubeVersion is the Kubernetes the chart is linted and rendered for: the one this
// module's k8s.io/api (v0.37) describes, so the schemas and the capabilities agree
// whichever way helm was built.
const kubeVersion = "1.37.0"

// release is the release name every case renders; resource names are release-chart.
const release = "wd"
const fullname = "wd-watchdog"

// helmBin is the helm `make deploy-check` installs (HELM), else the one in GOPATH/bin,
// else the one on PATH. Without one the test fails: the chart checks are never skipped.
func helmBin(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("HELM"); h != "" {
		return h
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		h := filepath.Join(strings.TrimSpace(string(out)), "bin", "helm")
		if _, err := os.Stat(h); err == nil {
			return h
		}
	}
	if h, err := exec.LookPath("helm"); err == nil {
		return h
	}
	t.Fatal("helm not found: run `make deploy-check` (it installs helm with go install), or set HELM")
	return ""
}

// runHelm runs helm with its state in a temporary directory, so no repository list or
// cache of the user's is read or written.
func runHelm(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helmBin(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// valueArgs are helm's flags for a case's values files (under ci/) and --set pairs.
func valueArgs(files, set []string) []string {
	var args []string
	for _, f := range files {
		args = append(args, "-f", filepath.Join(chartDir, "ci", f))
	}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	return args
}

// rendered is one value set's release.
type rendered struct {
	objs  []Object
	rel   Release
	notes string
}

func render(t *testing.T, files, set []string) rendered {
	t.Helper()
	out, stderr, err := runHelm(t, append([]string{"template", release, chartDir, "--namespace", "monitoring",
		"--kube-version", kubeVersion}, valueArgs(files, set)...)...)
	if err != nil {
		t.Fatalf("helm template: %v\n%s", err, stderr)
	}
	objs, err := Decode(strings.NewReader(out))
	if err != nil {
		t.Fatalf("decode:\n%v\n--- rendered:\n%s", err, out)
	}
	rel, err := Check(objs)
	if err != nil {
		t.Fatalf("check:\n%v", err)
	}
	return rendered{objs: objs, rel: rel, notes: renderNotes(t, files, set)}
}

// renderNotes renders NOTES.txt, which `helm template` leaves out and `helm install
// --dry-run` renders only next to a cluster: a copy of the chart gets a template that
// includes the notes' text as a define.
func renderNotes(t *testing.T, files, set []string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "watchdog")
	if err := os.CopyFS(dir, os.DirFS(chartDir)); err != nil {
		t.Fatal(err)
	}
	notes, err := os.ReadFile(filepath.Join(dir, "templates", "NOTES.txt"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "templates", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("_notes_check.tpl", `{{- define "notesCheck" -}}`+string(notes)+`{{- end -}}`)
	write("notes-check.yaml", "notes: {{ include \"notesCheck\" . | toJson }}\n")
	// The value files are read from the chart itself: helm splits -f on commas, and a
	// temporary directory is named after the test.
	out, stderr, err := runHelm(t, append([]string{"template", release, dir, "--namespace", "monitoring",
		"--kube-version", kubeVersion, "--show-only", "templates/notes-check.yaml"}, valueArgs(files, set)...)...)
	if err != nil {
		t.Fatalf("render NOTES.txt: %v\n%s", err, stderr)
	}
	var doc struct{ Notes string }
	if err := yamlUnmarshal(out, &doc); err != nil || doc.Notes == "" {
		t.Fatalf("render NOTES.txt: %v\n%s", err, out)
	}
	return doc.Notes
}

// find returns the one object of type T named name, failing the test if there is none.
func find[T any](t *testing.T, r rendered, name string) T {
	t.Helper()
	for _, o := range r.objs {
		if v, ok := o.Obj.(T); ok && o.Name == name {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T named %s; rendered: %v", zero, name, kinds(r))
	return zero
}

func kinds(r rendered) []string {
	var ks []string
	for _, o := range r.objs {
		ks = append(ks, o.String())
	}
	slices.Sort(ks)
	return ks
}

func wantKinds(t *testing.T, r rendered, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := kinds(r); !slices.Equal(got, want) {
		t.Errorf("objects = %v, want %v", got, want)
	}
}

func container(t *testing.T, r rendered) corev1.Container {
	t.Helper()
	d := find[*appsv1.Deployment](t, r, fullname)
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("containers = %d, want 1", len(d.Spec.Template.Spec.Containers))
	}
	return d.Spec.Template.Spec.Containers[0]
}

// envFrom describes how a container gets an env var: "value:X", "secret:NAME/KEY",
// "secret?:NAME/KEY" (optional), or "" when it is not set.
func envFrom(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name != name {
			continue
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			if ref.Optional != nil && *ref.Optional {
				return "secret?:" + ref.Name + "/" + ref.Key
			}
			return "secret:" + ref.Name + "/" + ref.Key
		}
		if e.ValueFrom != nil {
			return "valueFrom"
		}
		return "value:" + e.Value
	}
	return ""
}

func wantEnv(t *testing.T, c corev1.Container, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got := envFrom(c, name); got != w {
			t.Errorf("env %s = %q, want %q", name, got, w)
		}
	}
}

// wantHardened checks what every value set must keep: probes on the right paths,
// resources, a non-root read-only container without capabilities.
func wantHardened(t *testing.T, r rendered) {
	t.Helper()
	c := container(t, r)
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{{"startupProbe", c.StartupProbe, "/healthz"}, {"livenessProbe", c.LivenessProbe, "/healthz"}, {"readinessProbe", c.ReadinessProbe, "/readyz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s: none, want httpGet %s on port http", p.name, p.path)
		} else if g := p.probe.HTTPGet; g.Path != p.path || g.Port.StrVal != "http" {
			t.Errorf("%s: httpGet %s on port %s, want %s on port http", p.name, g.Path, g.Port.String(), p.path)
		}
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports = %+v, want http 8080", c.Ports)
	}
	if got := envFrom(c, "LISTEN_ADDR"); got != "value::8080" {
		t.Errorf("LISTEN_ADDR = %q, want :8080", got)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources = %+v, want cpu and memory requests and a memory limit", c.Resources)
	}
	sc := c.SecurityContext
	if sc == nil || !deref(sc.RunAsNonRoot, false) || !deref(sc.ReadOnlyRootFilesystem, false) ||
		deref(sc.AllowPrivilegeEscalation, true) || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("securityContext = %+v, want non-root, read-only root, no privilege escalation, drop ALL, seccomp RuntimeDefault", sc)
	}
	d := find[*appsv1.Deployment](t, r, fullname)
	pod := d.Spec.Template.Spec
	if deref(pod.AutomountServiceAccountToken, true) {
		t.Error("automountServiceAccountToken is not false")
	}
	// The server's whole stop keeps to SHUTDOWN_TIMEOUT; the kubelet's SIGKILL must
	// come later, with room for the process to exit and the signal to arrive.
	shutdown := 20 * time.Second
	for _, e := range c.Env {
		if e.Name == "SHUTDOWN_TIMEOUT" {
			d, err := time.ParseDuration(e.Value)
			if err != nil {
				t.Fatalf("SHUTDOWN_TIMEOUT = %q: %v", e.Value, err)
			}
			shutdown = d
		}
	}
	if grace := pod.TerminationGracePeriodSeconds; grace == nil || time.Duration(*grace)*time.Second < shutdown+5*time.Second {
		t.Errorf("terminationGracePeriodSeconds = %v, want at least SHUTDOWN_TIMEOUT (%s) + 5 s", deref(grace, 0), shutdown)
	}
	if d.Spec.Strategy.RollingUpdate == nil || d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 0 {
		t.Error("rolling update may take a server down before its replacement is ready (maxUnavailable != 0)")
	}
	svc := find[*corev1.Service](t, r, fullname)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.StrVal != "http" {
		t.Errorf("service ports = %+v, want one to targetPort http", svc.Spec.Ports)
	}
	if !strings.Contains(r.notes, "rollout status deployment/"+fullname) {
		t.Errorf("NOTES.txt does not say how to wait for the rollout:\n%s", r.notes)
	}
}

func wantSpread(t *testing.T, r rendered, want bool) {
	t.Helper()
	tsc := find[*appsv1.Deployment](t, r, fullname).Spec.Template.Spec.TopologySpreadConstraints
	got := len(tsc) == 1 && tsc[0].TopologyKey == "kubernetes.io/hostname" && tsc[0].LabelSelector != nil
	if got != want {
		t.Errorf("spread across nodes = %v (%+v), want %v", got, tsc, want)
	}
}

func TestChartValueSets(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		check func(t *testing.T, r rendered)
	}{
		{"defaults with an existing Secret", []string{"default-values.yaml"}, func(t *testing.T, r rendered) {
			wantKinds(t, r, "Deployment/"+fullname, "PodDisruptionBudget/"+fullname, "Service/"+fullname, "ServiceAccount/"+fullname)
			if !slices.Equal(r.rel.ExternalSecrets, []string{"watchdog-secrets"}) {
				t.Errorf("external Secrets = %v, want [watchdog-secrets]", r.rel.ExternalSecrets)
			}
			d := find[*appsv1.Deployment](t, r, fullname)
			if got := deref(d.Spec.Replicas, 0); got != 2 {
				t.Errorf("replicas = %d, want 2", got)
			}
			c := container(t, r)
			if c.Image != "ghcr.io/watchdog-monitor/watchdog:"+chartAppVersion(t) {
				t.Errorf("image = %s, want the chart's appVersion as tag", c.Image)
			}
			wantEnv(t, c, map[string]string{
				"DATABASE_URL":  "secret:watchdog-secrets/database-url",
				"JWT_SECRET":    "secret?:watchdog-secrets/jwt-secret",
				"ADMIN_PASS":    "secret?:watchdog-secrets/admin-password",
				"SMTP_PASSWORD": "secret?:watchdog-secrets/smtp-password",
				"METRICS_TOKEN": "",
				"LOG_FORMAT":    "value:json",
			})
			pdb := find[*policyv1.PodDisruptionBudget](t, r, fullname)
			if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 {
				t.Errorf("PDB minAvailable = %v, want 1", pdb.Spec.MinAvailable)
			}
			wantSpread(t, r, true)
			wantHardened(t, r)
			if !strings.Contains(r.notes, "port-forward service/"+fullname) {
				t.Errorf("NOTES.txt without an Ingress should show port-forward:\n%s", r.notes)
			}
		}},
		{"ingress, ServiceMonitor and a chart-made Secret", []string{"full-values.yaml"}, func(t *testing.T, r rendered) {
			wantKinds(t, r, "Deployment/"+fullname, "Ingress/"+fullname, "PodDisruptionBudget/"+fullname, "Secret/"+fullname,
				"Service/"+fullname, "ServiceAccount/"+fullname, "ServiceMonitor/"+fullname)
			if len(r.rel.ExternalSecrets) != 0 {
				t.Errorf("external Secrets = %v, want none", r.rel.ExternalSecrets)
			}
			s := find[*corev1.Secret](t, r, fullname)
			var keys []string
			for k := range s.Data {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"admin-password", "database-url", "jwt-secret", "metrics-token", "smtp-password"}; !slices.Equal(keys, want) {
				t.Errorf("Secret keys = %v, want %v", keys, want)
			}
			if got := string(s.Data["database-url"]); !strings.HasPrefix(got, "postgres://watchdog:check-only@") {
				t.Errorf("database-url = %q", got)
			}
			c := container(t, r)
			wantEnv(t, c, map[string]string{
				"DATABASE_URL":          "secret:" + fullname + "/database-url",
				"JWT_SECRET":            "secret:" + fullname + "/jwt-secret",
				"ADMIN_PASS":            "secret:" + fullname + "/admin-password",
				"SMTP_PASSWORD":         "secret:" + fullname + "/smtp-password",
				"METRICS_TOKEN":         "secret:" + fullname + "/metrics-token",
				"WORKERS":               "value:2000",
				"ALLOW_PRIVATE_TARGETS": "value:false",
				"TRUSTED_PROXIES":       "value:10.244.0.0/16",
				"GOMEMLIMIT":            "valueFrom",
			})
			d := find[*appsv1.Deployment](t, r, fullname)
			if d.Spec.Template.Annotations["checksum/secret"] == "" || d.Spec.Template.Annotations["example.com/team"] != "platform" {
				t.Errorf("pod annotations = %v, want checksum/secret and the given ones", d.Spec.Template.Annotations)
			}
			ing := find[*networkingv1.Ingress](t, r, fullname)
			if deref(ing.Spec.IngressClassName, "") != "nginx" || len(ing.Spec.Rules) != 2 || len(ing.Spec.TLS) != 1 ||
				ing.Spec.TLS[0].SecretName != "watchdog-tls" || ing.Annotations["cert-manager.io/cluster-issuer"] != "letsencrypt" {
				t.Errorf("ingress spec = %+v", ing.Spec)
			}
			sm := find[*ServiceMonitor](t, r, fullname)
			ep := sm.Spec.Endpoints[0]
			if ep.Port != "http" || ep.Path != "/metrics" || ep.Interval != "15s" || sm.Labels["release"] != "kube-prometheus-stack" {
				t.Errorf("ServiceMonitor = %+v", sm)
			}
			if a := ep.Authorization; a == nil || a.Type != "Bearer" || a.Credentials == nil ||
				a.Credentials.Name != fullname || a.Credentials.Key != "metrics-token" {
				t.Errorf("ServiceMonitor authorization = %+v, want Bearer from %s/metrics-token", ep.Authorization, fullname)
			}
			wantHardened(t, r)
			if !strings.Contains(r.notes, "https://watchdog.example.com/") {
				t.Errorf("NOTES.txt should show the Ingress address:\n%s", r.notes)
			}
		}},
		{"three replicas, pinned image, own Secret keys", []string{"replicas3-values.yaml"}, func(t *testing.T, r rendered) {
			if !strings.Contains(r.notes, "No admin password was given") {
				t.Errorf("NOTES.txt should say where the generated admin password is:\n%s", r.notes)
			}
			wantKinds(t, r, "Deployment/"+fullname, "PodDisruptionBudget/"+fullname, "Service/"+fullname,
				"ServiceAccount/"+fullname, "ServiceMonitor/"+fullname)
			d := find[*appsv1.Deployment](t, r, fullname)
			if got := deref(d.Spec.Replicas, 0); got != 3 {
				t.Errorf("replicas = %d, want 3", got)
			}
			c := container(t, r)
			if want := "registry.example.com/watchdog@sha256:" + strings.Repeat("0", 64); c.Image != want {
				t.Errorf("image = %s, want %s", c.Image, want)
			}
			wantEnv(t, c, map[string]string{
				"DATABASE_URL":  "secret:wd-prod/DATABASE_URL",
				"JWT_SECRET":    "secret?:wd-prod/JWT_SECRET",
				"ADMIN_PASS":    "",
				"METRICS_TOKEN": "secret:wd-prod/METRICS_TOKEN",
			})
			if got := c.Resources.Limits.Cpu().String(); got != "2" {
				t.Errorf("cpu limit = %s, want 2", got)
			}
			if pdb := find[*policyv1.PodDisruptionBudget](t, r, fullname); pdb.Spec.MinAvailable.IntValue() != 2 {
				t.Errorf("PDB minAvailable = %v, want 2", pdb.Spec.MinAvailable)
			}
			sm := find[*ServiceMonitor](t, r, fullname)
			if a := sm.Spec.Endpoints[0].Authorization; a == nil || a.Credentials.Name != "wd-prod" || a.Credentials.Key != "METRICS_TOKEN" {
				t.Errorf("ServiceMonitor authorization = %+v, want wd-prod/METRICS_TOKEN", a)
			}
			if !slices.Equal(r.rel.ExternalSecrets, []string{"wd-prod"}) {
				t.Errorf("external Secrets = %v, want [wd-prod]", r.rel.ExternalSecrets)
			}
			wantSpread(t, r, true)
			wantHardened(t, r)
		}},
		{"one replica: no PodDisruptionBudget", []string{"single-values.yaml"}, func(t *testing.T, r rendered) {
			wantKinds(t, r, "Deployment/"+fullname, "Service/"+fullname, "ServiceAccount/"+fullname)
			wantSpread(t, r, false)
			wantHardened(t, r)
		}},
	}
	// Every value set under ci/ has a case: a new file is not left unchecked.
	seen := map[string]bool{}
	for _, tc := range cases {
		for _, f := range tc.files {
			seen[f] = true
		}
	}
	files, _ := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no case in TestChartValueSets", f)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range tc.files {
				// --strict: warnings fail too; the deprecation check runs for kubeVersion.
				out, stderr, err := runHelm(t, append([]string{"lint", chartDir, "--strict", "--quiet", "--kube-version", kubeVersion}, valueArgs([]string{f}, nil)...)...)
				if err != nil {
					t.Fatalf("helm lint -f %s: %v\n%s%s", f, err, out, stderr)
				}
			}
			tc.check(t, render(t, tc.files, nil))
		})
	}
}

// TestChartRefuses renders value sets the chart must refuse, each with a message that
// says what to change.
func TestChartRefuses(t *testing.T) {
	cases := []struct {
		name string
		set  []string
		want string
	}{
		{"no database", nil, "WatchDog needs PostgreSQL"},
		{"a SQLite database", []string{"secret.databaseUrl=/data/watchdog.db"}, "must be a postgres:// URL"},
		{"a secret in config", []string{"existingSecret.name=s", "config.DATABASE_URL=postgres://x"}, "secrets do not go in config"},
		{"JWT secret too short", []string{"secret.databaseUrl=postgres://x", "secret.jwtSecret=short"}, "at least 32 bytes"},
		{"admin password too short", []string{"secret.databaseUrl=postgres://x", "secret.adminPassword=short"}, "8 to 72 bytes"},
		{"LISTEN_ADDR in config", []string{"existingSecret.name=s", "config.LISTEN_ADDR=:9090"}, "set containerPort instead"},
		{"an existing Secret without the URL's key", []string{"existingSecret.name=s", "existingSecret.databaseUrlKey="}, "name the key of the Secret that holds DATABASE_URL"},
		{"a misspelt value", []string{"existingSecret.name=s", "replicas=3"}, "additional properties 'replicas' not allowed"},
		{"a mistyped value", []string{"existingSecret.name=s", "replicaCount=two"}, "want integer"},
		{"a bad image digest", []string{"existingSecret.name=s", "image.digest=latest"}, "/image/digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, err := runHelm(t, append([]string{"template", release, chartDir, "--kube-version", kubeVersion}, valueArgs(nil, tc.set)...)...)
			if err == nil {
				t.Fatalf("helm template accepted --set %v", tc.set)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("error = %s, want it to contain %q", stderr, tc.want)
			}
		})
	}
}

func yamlUnmarshal(s string, v any) error { return yaml.Unmarshal([]byte(s), v) }

func chartAppVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yamlUnmarshal(string(b), &chart); err != nil || chart.AppVersion == "" {
		t.Fatalf("Chart.yaml appVersion: %v", err)
	}
	return chart.AppVersion
}

// readmeSettings are the variables of the README's Configuration table.
func readmeSettings(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]*)`")
	var out []string
	for line := range strings.SplitSeq(table, "\n") {
		if cells := strings.Split(line, "|"); strings.HasPrefix(line, "| `") && len(cells) > 2 {
			for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
				out = append(out, m[1])
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("found %d settings in the README's Configuration table: %v", len(out), out)
	}
	return out
}

// TestChartPassesEveryREADMESetting: each setting the README lists reaches the server,
// from config (values.yaml lists it there), from the Secret, or (LISTEN_ADDR) from
// containerPort.
func TestChartPassesEveryREADMESetting(t *testing.T) {
	fromSecret := map[string]string{
		"DATABASE_URL": "database-url", "JWT_SECRET": "jwt-secret", "ADMIN_PASS": "admin-password",
		"SMTP_PASSWORD": "smtp-password", "METRICS_TOKEN": "metrics-token",
	}
	values, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, configBlock, _ := strings.Cut(string(values), "\nconfig:\n")
	configBlock, _, _ = strings.Cut(configBlock, "\n\n")

	settings := readmeSettings(t)
	var set []string
	want := map[string]string{"LISTEN_ADDR": "value::8080"}
	for _, s := range settings {
		if key, ok := fromSecret[s]; ok {
			want[s] = "secret:" + fullname + "/" + key
			continue
		}
		if s == "LISTEN_ADDR" {
			continue
		}
		if !regexp.MustCompile(`(?m)^  (# )?` + s + `:`).MatchString(configBlock) {
			t.Errorf("values.yaml's config does not list %s", s)
		}
		set = append(set, "config."+s+"=v-"+strings.ToLower(s))
		want[s] = "value:v-" + strings.ToLower(s)
	}
	// full-values.yaml has the chart make a Secret holding every secret setting.
	c := container(t, render(t, []string{"full-values.yaml"}, set))
	wantEnv(t, c, want)
	if len(want) != len(settings) {
		t.Errorf("checked %d settings, the README lists %d", len(want), len(settings))
	}
}
