package main

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsjson "sigs.k8s.io/json"
)

var serviceMonitorGVK = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}

// ServiceMonitor is the part of the Prometheus Operator's monitoring.coreos.com/v1
// ServiceMonitor that this validator knows, field names and types as in the operator's
// CRD (pkg/apis/monitoring/v1/servicemonitor_types.go). Decoding is strict, so a field
// outside this subset fails: add it here, from the CRD, when the chart starts to use it.
// Its schema is not vendored because the operator's Go module would bring in far more
// than this needs.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ServiceMonitorSpec `json:"spec"`
}

// ServiceMonitorSpec is the subset of the spec the chart may render.
type ServiceMonitorSpec struct {
	JobLabel          string                   `json:"jobLabel,omitempty"`
	Selector          metav1.LabelSelector     `json:"selector"`
	NamespaceSelector *NamespaceSelector       `json:"namespaceSelector,omitempty"`
	Endpoints         []ServiceMonitorEndpoint `json:"endpoints"`
}

// NamespaceSelector picks the namespaces a ServiceMonitor looks in.
type NamespaceSelector struct {
	Any        bool     `json:"any,omitempty"`
	MatchNames []string `json:"matchNames,omitempty"`
}

// ServiceMonitorEndpoint is one scraped port.
type ServiceMonitorEndpoint struct {
	Port              string              `json:"port,omitempty"`
	TargetPort        *intstr.IntOrString `json:"targetPort,omitempty"`
	Path              string              `json:"path,omitempty"`
	Scheme            string              `json:"scheme,omitempty"`
	Interval          string              `json:"interval,omitempty"`
	ScrapeTimeout     string              `json:"scrapeTimeout,omitempty"`
	HonorLabels       bool                `json:"honorLabels,omitempty"`
	Authorization     *SafeAuthorization  `json:"authorization,omitempty"`
	Relabelings       []RelabelConfig     `json:"relabelings,omitempty"`
	MetricRelabelings []RelabelConfig     `json:"metricRelabelings,omitempty"`
}

// SafeAuthorization sends credentials from a Secret in the Authorization header.
type SafeAuthorization struct {
	Type        string                    `json:"type,omitempty"`
	Credentials *corev1.SecretKeySelector `json:"credentials,omitempty"`
}

// RelabelConfig is one Prometheus relabeling step.
type RelabelConfig struct {
	SourceLabels []string `json:"sourceLabels,omitempty"`
	Separator    *string  `json:"separator,omitempty"`
	TargetLabel  string   `json:"targetLabel,omitempty"`
	Regex        string   `json:"regex,omitempty"`
	Modulus      uint64   `json:"modulus,omitempty"`
	Replacement  *string  `json:"replacement,omitempty"`
	Action       string   `json:"action,omitempty"`
}

// decodeServiceMonitor decodes strictly: case-sensitive field names, no unknown or
// duplicate fields, types as declared.
func decodeServiceMonitor(js []byte) (*ServiceMonitor, error) {
	var sm ServiceMonitor
	strictErrs, err := sigsjson.UnmarshalStrict(js, &sm)
	if err != nil {
		return nil, err
	}
	if len(strictErrs) > 0 {
		msgs := make([]string, len(strictErrs))
		for i, e := range strictErrs {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("strict decoding error: %s", strings.Join(msgs, ", "))
	}
	return &sm, nil
}

// promDuration is the CRD's pattern for interval and scrapeTimeout.
var promDuration = regexp.MustCompile(`^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`)

// relabelActions are the CRD's allowed relabeling actions (either case).
var relabelActions = map[string]bool{"replace": true, "keep": true, "drop": true, "hashmod": true,
	"labelmap": true, "labeldrop": true, "labelkeep": true, "lowercase": true, "uppercase": true,
	"keepequal": true, "dropequal": true}

// checkServiceMonitor checks the shape the CRD would enforce, and that it scrapes a
// port of a Service in the release, with credentials that exist.
func checkServiceMonitor(o Object, sm *ServiceMonitor, services map[string]*corev1.Service,
	secretRef func(Object, string, string, bool, string), fail func(Object, string, ...any)) {
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || sel.Empty() {
		fail(o, "spec.selector is empty or invalid (an empty one selects every Service in the namespace): %v", err)
		return
	}
	var matched []*corev1.Service
	for _, svc := range services {
		if sel.Matches(labels.Set(svc.Labels)) {
			matched = append(matched, svc)
		}
	}
	if len(matched) == 0 {
		fail(o, "spec.selector %s matches no Service in the release", sel)
	}
	if len(sm.Spec.Endpoints) == 0 {
		fail(o, "spec.endpoints is empty")
	}
	for i, ep := range sm.Spec.Endpoints {
		where := fmt.Sprintf("spec.endpoints[%d]", i)
		if ep.Port == "" && ep.TargetPort == nil {
			fail(o, "%s: port (a Service port name) is required", where)
		}
		if ep.Port != "" {
			for _, svc := range matched {
				if !servicePort(svc, ep.Port, 0) {
					fail(o, "%s: port %q is not a port name of Service %s", where, ep.Port, svc.Name)
				}
			}
		}
		if ep.Path != "" && !strings.HasPrefix(ep.Path, "/") {
			fail(o, "%s: path %q must start with /", where, ep.Path)
		}
		switch strings.ToLower(ep.Scheme) {
		case "", "http", "https":
		default:
			fail(o, "%s: scheme %q is not http or https", where, ep.Scheme)
		}
		for _, d := range []struct{ name, value string }{{"interval", ep.Interval}, {"scrapeTimeout", ep.ScrapeTimeout}} {
			if d.value != "" && !promDuration.MatchString(d.value) {
				fail(o, "%s: %s %q is not a Prometheus duration", where, d.name, d.value)
			}
		}
		if a := ep.Authorization; a != nil {
			if strings.EqualFold(a.Type, "basic") {
				fail(o, "%s: authorization.type Basic is not allowed (use basicAuth)", where)
			}
			if a.Credentials == nil || a.Credentials.Name == "" || a.Credentials.Key == "" {
				fail(o, "%s: authorization.credentials needs a Secret name and key", where)
			} else {
				secretRef(o, a.Credentials.Name, a.Credentials.Key, false, where+": authorization")
			}
		}
		for _, rc := range append(append([]RelabelConfig{}, ep.Relabelings...), ep.MetricRelabelings...) {
			if rc.Action != "" && !relabelActions[strings.ToLower(rc.Action)] {
				fail(o, "%s: relabeling action %q is not one Prometheus knows", where, rc.Action)
			}
			if rc.Regex != "" {
				if _, err := regexp.Compile("^(?:" + rc.Regex + ")$"); err != nil {
					fail(o, "%s: relabeling regex %q: %v", where, rc.Regex, err)
				}
			}
		}
	}
}
