package main

import (
	"errors"
	"strings"
	"testing"
)

// goodRelease is a small valid release; each case below breaks one thing in it, so a
// validator that stopped looking would let that case through.
const goodRelease = `
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: app
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: web
          image: example.com/web:1
          ports:
            - {name: http, containerPort: 8080}
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef: {name: app, key: database-url}
          readinessProbe:
            httpGet: {path: /readyz, port: http}
          resources:
            requests: {memory: 64Mi}
            limits: {memory: 128Mi}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app}
---
apiVersion: v1
kind: Secret
metadata: {name: app}
data:
  database-url: cG9zdGdyZXM6Ly94
---
apiVersion: v1
kind: Service
metadata:
  name: app
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: app}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app}
spec:
  rules:
    - host: app.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: app
                port: {name: http}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: app}
spec:
  selector:
    matchLabels: {app: web}
  endpoints:
    - port: http
      path: /metrics
      interval: 30s
      authorization:
        type: Bearer
        credentials: {name: app, key: database-url}
`

func validate(manifests string) error {
	objs, err := Decode(strings.NewReader(manifests))
	_, checkErr := Check(objs)
	return errors.Join(err, checkErr)
}

func TestValidatorAcceptsAGoodRelease(t *testing.T) {
	if err := validate(goodRelease); err != nil {
		t.Fatalf("a valid release was refused:\n%v", err)
	}
}

// TestValidatorRefuses shows what the validator catches: each case changes one line
// of goodRelease (old → new) and names the error it must report.
func TestValidatorRefuses(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown field", "containerPort: 8080", "containerport: 8080", `unknown field "spec.template.spec.containers[0].ports[0].containerport"`},
		{"mistyped field", "replicas: 2", `replicas: "2"`, "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"},
		{"a key twice", "  replicas: 2", "  replicas: 2\n  replicas: 3", `key "replicas" already set`},
		{"misplaced field", "      serviceAccountName: app", "      serviceAccount:\n        name: app", "cannot unmarshal object"},
		{"unknown kind", "kind: ServiceAccount", "kind: ServiceAcount", "unknown kind v1 ServiceAcount"},
		{"unknown custom resource", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor", "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor", "unknown kind monitoring.coreos.com/v1 PodMonitor"},
		{"beta API", "apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n", "pre-release API version"},
		{"bad name", "metadata: {name: app}\nspec:\n  minAvailable", "metadata: {name: App_1}\nspec:\n  minAvailable", "metadata.name"},
		{"bad label value", "labels: {app: web}\nspec:\n  replicas", "labels: {app: 'web app'}\nspec:\n  replicas", "metadata.labels"},
		{"bad quantity", "limits: {memory: 128Mi}", "limits: {memory: 128MB!}", "quantities must match"},
		{"selector misses pods", "    matchLabels: {app: web}\n  template", "    matchLabels: {app: api}\n  template", "does not match the pod template's labels"},
		{"service selects nothing", "  selector: {app: web}\n  ports", "  selector: {app: api}\n  ports", "matches no pod template"},
		{"service targetPort missing", "targetPort: http", "targetPort: web", `targetPort "web" is not a container port`},
		{"probe port missing", "path: /readyz, port: http", "path: /readyz, port: web", `readinessProbe: port "web"`},
		{"secret key missing", "secretKeyRef: {name: app, key: database-url}", "secretKeyRef: {name: app, key: database_url}", `reads key "database_url" of Secret app`},
		{"request above limit", "requests: {memory: 64Mi}", "requests: {memory: 256Mi}", "above its limit"},
		{"runs as root", "runAsNonRoot: true", "runAsNonRoot: false", "restricted Pod Security Standard"},
		{"keeps capabilities", "capabilities: {drop: [ALL]}", "capabilities: {drop: [NET_RAW]}", "restricted Pod Security Standard"},
		{"missing service account", "metadata: {name: app}\n---\napiVersion: v1\nkind: Secret", "metadata: {name: other}\n---\napiVersion: v1\nkind: Secret", `serviceAccountName "app" is not made by the release`},
		{"PDB blocks drains", "  minAvailable: 1", "  minAvailable: 2", "node drains would hang"},
		{"ingress to a missing service", "                name: app\n", "                name: web\n", `backend Service "web" is not in the release`},
		{"ingress without pathType", "            pathType: Prefix\n", "", "no pathType"},
		{"ServiceMonitor unknown field", "      path: /metrics", "      metricsPath: /metrics", `unknown field "spec.endpoints[0].metricsPath"`},
		{"ServiceMonitor field in the wrong case", "      path: /metrics", "      Path: /metrics", `unknown field "spec.endpoints[0].Path"`},
		{"ServiceMonitor wrong port", "    - port: http\n      path", "    - port: metrics\n      path", `port "metrics" is not a port name`},
		{"ServiceMonitor without port", "    - port: http\n      path", "    - path", "port (a Service port name) is required"},
		{"ServiceMonitor selects nothing", "    matchLabels: {app: web}\n  endpoints", "    matchLabels: {app: api}\n  endpoints", "matches no Service"},
		{"ServiceMonitor empty selector", "    matchLabels: {app: web}\n  endpoints", "    matchLabels: {}\n  endpoints", "spec.selector is empty"},
		{"ServiceMonitor bad interval", "interval: 30s", "interval: 30 seconds", "not a Prometheus duration"},
		{"ServiceMonitor token key missing", "credentials: {name: app, key: database-url}", "credentials: {name: app, key: token}", `reads key "token" of Secret app`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(goodRelease, tc.old) {
				t.Fatalf("goodRelease has no %q", tc.old)
			}
			err := validate(strings.Replace(goodRelease, tc.old, tc.new, 1))
			if err == nil {
				t.Fatalf("accepted %q → %q", tc.old, tc.new)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidatorReportsExternalSecrets(t *testing.T) {
	m := strings.Replace(goodRelease, "kind: Secret\nmetadata: {name: app}", "kind: Secret\nmetadata: {name: unused}", 1)
	objs, err := Decode(strings.NewReader(m))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := Check(objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.ExternalSecrets) != 1 || rel.ExternalSecrets[0] != "app" {
		t.Errorf("external Secrets = %v, want [app]", rel.ExternalSecrets)
	}
}
