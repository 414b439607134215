package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// Object is one document of a rendered release, decoded into its typed Go struct.
type Object struct {
	// Source is the template it came from (helm's "# Source:" line), else "document N".
	Source string
	GVK    schema.GroupVersionKind
	Name   string
	// Obj is the typed object: a k8s.io/api struct pointer, or *ServiceMonitor.
	Obj any
}

func (o Object) String() string { return o.GVK.Kind + "/" + o.Name }

// strict decodes every built-in kind client-go knows, failing on unknown and duplicate
// fields as well as on mistyped ones (a string where the schema has an integer).
var strict = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

var sourceLine = regexp.MustCompile(`(?m)^# Source: (.+)$`)

// Decode reads every YAML document in r and decodes it strictly into its typed object.
// Kinds client-go does not know fail, except ServiceMonitor (monitoring.coreos.com/v1),
// whose shape is checked by hand. Pre-release API versions (alpha, beta) fail too: a
// chart must use what every supported cluster serves.
func Decode(r io.Reader) ([]Object, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var (
		objs []Object
		errs []error
	)
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return objs, fmt.Errorf("read document %d: %w", n, err)
		}
		source := fmt.Sprintf("document %d", n)
		if m := sourceLine.FindSubmatch(doc); m != nil {
			source = string(m[1])
		}
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: not YAML (or a key twice): %w", source, err))
			continue
		}
		if t := bytes.TrimSpace(js); bytes.Equal(t, []byte("null")) || len(t) == 0 {
			continue // only comments: what a disabled template renders
		}
		o, err := decodeOne(source, js)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, o)
	}
	return objs, errors.Join(errs...)
}

func decodeOne(source string, js []byte) (Object, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(js, &tm); err != nil {
		return Object{}, fmt.Errorf("%s: %w", source, err)
	}
	gvk := tm.GroupVersionKind()
	if tm.APIVersion == "" || tm.Kind == "" {
		return Object{}, fmt.Errorf("%s: apiVersion and kind are required", source)
	}
	if v := gvk.Version; strings.Contains(v, "alpha") || strings.Contains(v, "beta") {
		return Object{}, fmt.Errorf("%s: %s %s: pre-release API version; use the GA one (e.g. policy/v1, networking.k8s.io/v1)", source, tm.APIVersion, tm.Kind)
	}
	if gvk == serviceMonitorGVK {
		sm, err := decodeServiceMonitor(js)
		if err != nil {
			return Object{}, fmt.Errorf("%s: ServiceMonitor: %w", source, err)
		}
		return Object{Source: source, GVK: gvk, Name: sm.Name, Obj: sm}, nil
	}
	obj, _, err := strict.Decode(js, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			return Object{}, fmt.Errorf("%s: unknown kind %s %s: not a Kubernetes built-in, and not one of the custom resources this validator knows (ServiceMonitor)", source, tm.APIVersion, tm.Kind)
		}
		return Object{}, fmt.Errorf("%s: %s: %w", source, tm.Kind, err)
	}
	acc, err := metaOf(obj)
	if err != nil {
		return Object{}, fmt.Errorf("%s: %w", source, err)
	}
	return Object{Source: source, GVK: gvk, Name: acc.Name, Obj: obj}, nil
}

func metaOf(obj any) (*metav1.ObjectMeta, error) {
	if sm, ok := obj.(*ServiceMonitor); ok {
		return &sm.ObjectMeta, nil
	}
	m, ok := obj.(interface{ GetObjectMeta() metav1.Object })
	if !ok {
		return nil, fmt.Errorf("%T has no metadata", obj)
	}
	om, ok := m.GetObjectMeta().(*metav1.ObjectMeta)
	if !ok {
		return nil, fmt.Errorf("%T: unexpected metadata type", obj)
	}
	return om, nil
}

// Release is a rendered release's objects and what they refer to outside themselves.
type Release struct {
	Objects []Object
	// ExternalSecrets are Secrets the pods or the ServiceMonitor read that the release
	// does not make: they must exist before install (existingSecret).
	ExternalSecrets []string
}

// podTemplate is a workload's pods, as the cross-reference checks see them.
type podTemplate struct {
	owner    Object
	replicas int32
	meta     metav1.ObjectMeta
	spec     corev1.PodSpec
}

// restricted evaluates pods against the Pod Security Standards' "restricted" level,
// the checks the API server's admission runs in a namespace labelled for it.
var restricted = func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(err) // the library's own checks: cannot be invalid
	}
	return e
}()

// Check looks across the objects for what a schema cannot see: names and labels the
// API server would refuse, selectors that select nothing, ports and Secrets (and keys)
// referred to but not there, pods that break the "restricted" Pod Security Standard.
func Check(objs []Object) (Release, error) {
	rel := Release{Objects: objs}
	var errs []error
	fail := func(o Object, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s (%s): %s", o, o.Source, fmt.Sprintf(format, args...)))
	}

	seen := map[string]bool{}
	secrets := map[string]*corev1.Secret{}
	services := map[string]*corev1.Service{}
	serviceAccounts := map[string]bool{}
	var pods []podTemplate
	for _, o := range objs {
		key := o.GVK.GroupKind().String() + "/" + o.Name
		if seen[key] {
			fail(o, "defined twice")
		}
		seen[key] = true
		meta, err := metaOf(o.Obj)
		if err != nil {
			fail(o, "%v", err)
			continue
		}
		nameFn := apivalidation.NameIsDNSSubdomain
		if o.GVK.Kind == "Service" {
			nameFn = apivalidation.NameIsDNS1035Label
		}
		for _, e := range apivalidation.ValidateObjectMeta(meta, meta.Namespace != "", nameFn, field.NewPath("metadata")) {
			fail(o, "%v", e)
		}
		switch obj := o.Obj.(type) {
		case *corev1.Secret:
			secrets[o.Name] = obj
		case *corev1.Service:
			services[o.Name] = obj
		case *corev1.ServiceAccount:
			serviceAccounts[o.Name] = true
		case *appsv1.Deployment:
			pods = append(pods, podTemplate{o, deref(obj.Spec.Replicas, 1), obj.Spec.Template.ObjectMeta, obj.Spec.Template.Spec})
			checkSelector(o, obj.Spec.Selector, obj.Spec.Template.Labels, fail)
		case *appsv1.StatefulSet:
			pods = append(pods, podTemplate{o, deref(obj.Spec.Replicas, 1), obj.Spec.Template.ObjectMeta, obj.Spec.Template.Spec})
			checkSelector(o, obj.Spec.Selector, obj.Spec.Template.Labels, fail)
		case *appsv1.DaemonSet:
			pods = append(pods, podTemplate{o, 1, obj.Spec.Template.ObjectMeta, obj.Spec.Template.Spec})
			checkSelector(o, obj.Spec.Selector, obj.Spec.Template.Labels, fail)
		case *batchv1.Job:
			pods = append(pods, podTemplate{o, 1, obj.Spec.Template.ObjectMeta, obj.Spec.Template.Spec})
		}
	}

	external := map[string]bool{}
	// secretRef records a reference to key of Secret name, checking it when the
	// release makes that Secret.
	secretRef := func(o Object, name, key string, optional bool, what string) {
		s, ok := secrets[name]
		if !ok {
			external[name] = true
			return
		}
		if key == "" || optional {
			return
		}
		if _, ok := s.Data[key]; !ok {
			if _, ok := s.StringData[key]; !ok {
				fail(o, "%s reads key %q of Secret %s, which has no such key", what, key, name)
			}
		}
	}

	for _, p := range pods {
		checkPod(p, serviceAccounts, secretRef, func(format string, args ...any) { fail(p.owner, format, args...) })
	}

	for _, o := range objs {
		switch obj := o.Obj.(type) {
		case *corev1.Service:
			if len(obj.Spec.Selector) == 0 {
				fail(o, "no selector: the Service selects no pods of this release")
				break
			}
			matched := podsMatching(pods, labels.SelectorFromSet(obj.Spec.Selector))
			if len(matched) == 0 {
				fail(o, "selector %v matches no pod template in the release", obj.Spec.Selector)
			}
			names := map[string]bool{}
			for _, port := range obj.Spec.Ports {
				if names[port.Name] {
					fail(o, "port name %q used twice", port.Name)
				}
				names[port.Name] = true
				if port.TargetPort.Type == intstr.String {
					for _, p := range matched {
						if !hasContainerPort(p.spec, port.TargetPort.StrVal) {
							fail(o, "port %q: targetPort %q is not a container port of %s", port.Name, port.TargetPort.StrVal, p.owner)
						}
					}
				}
			}
		case *policyv1.PodDisruptionBudget:
			sel, err := metav1.LabelSelectorAsSelector(obj.Spec.Selector)
			if err != nil || sel.Empty() {
				fail(o, "selector is empty or invalid: %v", err)
				break
			}
			matched := podsMatching(pods, sel)
			if len(matched) == 0 {
				fail(o, "selector matches no pod template in the release")
			}
			if m := obj.Spec.MinAvailable; m != nil && m.Type == intstr.Int {
				for _, p := range matched {
					if m.IntVal >= p.replicas {
						fail(o, "minAvailable %d with %d replica(s) of %s: no pod could ever be evicted, node drains would hang", m.IntVal, p.replicas, p.owner)
					}
				}
			}
		case *networkingv1.Ingress:
			ruleHosts := map[string]bool{}
			for _, rule := range obj.Spec.Rules {
				ruleHosts[rule.Host] = true
				if rule.HTTP == nil {
					fail(o, "rule for host %q has no http paths", rule.Host)
					continue
				}
				for _, path := range rule.HTTP.Paths {
					if path.PathType == nil {
						fail(o, "path %q has no pathType", path.Path)
					}
					if !strings.HasPrefix(path.Path, "/") {
						fail(o, "path %q must start with /", path.Path)
					}
					checkBackend(o, path.Backend, services, fail)
				}
			}
			if obj.Spec.DefaultBackend != nil {
				checkBackend(o, *obj.Spec.DefaultBackend, services, fail)
			}
			for _, tls := range obj.Spec.TLS {
				for _, h := range tls.Hosts {
					if !ruleHosts[h] {
						fail(o, "TLS host %q has no rule", h)
					}
				}
			}
		case *ServiceMonitor:
			checkServiceMonitor(o, obj, services, secretRef, fail)
		}
	}
	for name := range external {
		rel.ExternalSecrets = append(rel.ExternalSecrets, name)
	}
	slices.Sort(rel.ExternalSecrets)
	return rel, errors.Join(errs...)
}

func checkSelector(o Object, sel *metav1.LabelSelector, podLabels map[string]string, fail func(Object, string, ...any)) {
	s, err := metav1.LabelSelectorAsSelector(sel)
	switch {
	case err != nil:
		fail(o, "selector: %v", err)
	case s.Empty():
		fail(o, "selector is empty")
	case !s.Matches(labels.Set(podLabels)):
		fail(o, "selector %s does not match the pod template's labels %v", s, podLabels)
	}
}

func checkPod(p podTemplate, serviceAccounts map[string]bool, secretRef func(Object, string, string, bool, string), fail func(string, ...any)) {
	spec := p.spec
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" && !serviceAccounts[sa] {
		fail("serviceAccountName %q is not made by the release", sa)
	}
	results := restricted.EvaluatePod(psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}, &p.meta, &spec)
	if agg := policy.AggregateCheckResults(results); !agg.Allowed {
		fail("violates the restricted Pod Security Standard: %s", agg.ForbiddenDetail())
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		if volumes[v.Name] {
			fail("volume %q defined twice", v.Name)
		}
		volumes[v.Name] = true
		if v.Secret != nil {
			secretRef(p.owner, v.Secret.SecretName, "", true, "volume "+v.Name)
		}
	}
	for _, ps := range spec.ImagePullSecrets {
		secretRef(p.owner, ps.Name, "", true, "imagePullSecrets")
	}
	containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, c := range containers {
		where := "container " + c.Name
		if c.Image == "" {
			fail("%s: no image", where)
		}
		ports := map[string]bool{}
		for _, port := range c.Ports {
			if port.Name == "" {
				continue
			}
			for _, msg := range validation.IsValidPortName(port.Name) {
				fail("%s: port name %q: %s", where, port.Name, msg)
			}
			if ports[port.Name] {
				fail("%s: port name %q used twice", where, port.Name)
			}
			ports[port.Name] = true
		}
		for i, probe := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
			if probe == nil || probe.HTTPGet == nil {
				continue
			}
			kind := [...]string{"startupProbe", "livenessProbe", "readinessProbe"}[i]
			if port := probe.HTTPGet.Port; port.Type == intstr.String && !ports[port.StrVal] {
				fail("%s: %s: port %q is not a port of the container", where, kind, port.StrVal)
			}
			if !strings.HasPrefix(probe.HTTPGet.Path, "/") {
				fail("%s: %s: path %q must start with /", where, kind, probe.HTTPGet.Path)
			}
		}
		env := map[string]bool{}
		for _, e := range c.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				fail("%s: env %q: %s", where, e.Name, msg)
			}
			if env[e.Name] {
				fail("%s: env %s set twice (the last one wins, silently)", where, e.Name)
			}
			env[e.Name] = true
			if e.Value != "" && e.ValueFrom != nil {
				fail("%s: env %s has both value and valueFrom", where, e.Name)
			}
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				ref := e.ValueFrom.SecretKeyRef
				secretRef(p.owner, ref.Name, ref.Key, deref(ref.Optional, false), where+": env "+e.Name)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.SecretRef != nil {
				secretRef(p.owner, ef.SecretRef.Name, "", true, where+": envFrom")
			}
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				fail("%s: volumeMount %q names no volume", where, m.Name)
			}
		}
		for name, limit := range c.Resources.Limits {
			if req, ok := c.Resources.Requests[name]; ok && req.Cmp(limit) > 0 {
				fail("%s: %s request %s is above its limit %s", where, name, req.String(), limit.String())
			}
		}
	}
}

func checkBackend(o Object, b networkingv1.IngressBackend, services map[string]*corev1.Service, fail func(Object, string, ...any)) {
	if b.Service == nil {
		return
	}
	svc, ok := services[b.Service.Name]
	if !ok {
		fail(o, "backend Service %q is not in the release", b.Service.Name)
		return
	}
	if !servicePort(svc, b.Service.Port.Name, b.Service.Port.Number) {
		fail(o, "backend port %q/%d is not a port of Service %s", b.Service.Port.Name, b.Service.Port.Number, svc.Name)
	}
}

func servicePort(svc *corev1.Service, name string, number int32) bool {
	for _, p := range svc.Spec.Ports {
		if (name != "" && p.Name == name) || (name == "" && p.Port == number) {
			return true
		}
	}
	return false
}

func podsMatching(pods []podTemplate, sel labels.Selector) []podTemplate {
	var out []podTemplate
	for _, p := range pods {
		if sel.Matches(labels.Set(p.meta.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

func hasContainerPort(spec corev1.PodSpec, name string) bool {
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
