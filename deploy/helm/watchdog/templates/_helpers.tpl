{{/*
Names, labels and the few rules the values must meet. Every template includes
"watchdog.validate" through "watchdog.labels", so a bad value set fails whatever is
rendered, with a message that says what to change.
*/}}

{{- define "watchdog.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart, or just the release when it already holds the chart name.
Truncated to 63 characters, as some name fields are DNS labels.
*/}}
{{- define "watchdog.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "watchdog.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "watchdog.labels" -}}
helm.sh/chart: {{ include "watchdog.chart" . }}{{ include "watchdog.validate" . }}
{{ include "watchdog.selectorLabels" . }}
app.kubernetes.io/version: {{ include "watchdog.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: watchdog
{{- end }}

{{/* Selector labels: never change them in an upgrade (a Deployment's selector is immutable). */}}
{{- define "watchdog.selectorLabels" -}}
app.kubernetes.io/name: {{ include "watchdog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "watchdog.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "watchdog.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "watchdog.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "watchdog.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "watchdog.imageTag" .) }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the one the user made, or the chart's. */}}
{{- define "watchdog.secretName" -}}
{{- .Values.existingSecret.name | default (include "watchdog.fullname" .) }}
{{- end }}

{{/* "true" when the server gets a METRICS_TOKEN (and the ServiceMonitor must send it). */}}
{{- define "watchdog.metricsToken" -}}
{{- if .Values.existingSecret.name }}
{{- if .Values.existingSecret.metricsTokenKey }}true{{ end }}
{{- else if .Values.secret.metricsToken }}true{{ end }}
{{- end }}

{{/* The Secret key holding METRICS_TOKEN. */}}
{{- define "watchdog.metricsTokenKey" -}}
{{- if .Values.existingSecret.name }}{{ .Values.existingSecret.metricsTokenKey }}{{ else }}metrics-token{{ end }}
{{- end }}

{{/*
One env entry read from the Secret. Arguments: a list of
(env name, secret name, key, optional).
*/}}
{{- define "watchdog.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 | quote }}
      key: {{ index . 2 | quote }}
      {{- if index . 3 }}
      optional: true
      {{- end }}
{{- end }}

{{/* The rules a value set must meet; renders nothing. */}}
{{- define "watchdog.validate" -}}
{{- $reserved := list "DATABASE_URL" "JWT_SECRET" "ADMIN_PASS" "SMTP_PASSWORD" "METRICS_TOKEN" }}
{{- range $k, $v := .Values.config }}
{{- if has $k $reserved }}
{{- fail (printf "config.%s: secrets do not go in config (it is rendered in clear); use existingSecret or secret (see values.yaml)" $k) }}
{{- end }}
{{- if eq $k "LISTEN_ADDR" }}
{{- fail "config.LISTEN_ADDR: set containerPort instead (the probes and the Service follow it)" }}
{{- end }}
{{- end }}
{{- if not .Values.existingSecret.name }}
{{- if not .Values.secret.databaseUrl }}
{{- fail "WatchDog needs PostgreSQL: set existingSecret.name to a Secret holding DATABASE_URL under existingSecret.databaseUrlKey (see deploy/README.md), or secret.databaseUrl" }}
{{- end }}
{{- if not (regexMatch "^postgres(ql)?://" .Values.secret.databaseUrl) }}
{{- fail "secret.databaseUrl: must be a postgres:// URL (several replicas cannot share a SQLite file)" }}
{{- end }}
{{- if and .Values.secret.jwtSecret (lt (len .Values.secret.jwtSecret) 32) }}
{{- fail "secret.jwtSecret: must be at least 32 bytes (openssl rand -hex 32), or empty to keep a generated one in the database" }}
{{- end }}
{{- if and .Values.secret.adminPassword (or (lt (len .Values.secret.adminPassword) 8) (gt (len .Values.secret.adminPassword) 72)) }}
{{- fail "secret.adminPassword: must be 8 to 72 bytes, or empty to have one generated" }}
{{- end }}
{{- else if not .Values.existingSecret.databaseUrlKey }}
{{- fail "existingSecret.databaseUrlKey: name the key of the Secret that holds DATABASE_URL" }}
{{- end }}
{{- end }}
