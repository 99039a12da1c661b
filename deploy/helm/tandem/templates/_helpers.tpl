{{/* Chart name, truncated to the 63 characters Kubernetes allows. */}}
{{- define "tandem.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "tandem.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "tandem.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "tandem.labels" -}}
helm.sh/chart: {{ include "tandem.chart" . }}
app.kubernetes.io/name: {{ include "tandem.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tandem
{{- end }}

{{/* Labels naming one component (and its server) besides the common ones; ctx: dict root, component, server. */}}
{{- define "tandem.componentLabels" -}}
app.kubernetes.io/component: {{ .component }}
{{- with .server }}
tandem.dev/server: {{ . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component; ctx: dict root, component, server (optional). */}}
{{- define "tandem.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tandem.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- with .server }}
tandem.dev/server: {{ . }}
{{- end }}
{{- end }}

{{/* Object name of one server's component: <fullname>-<server>-<component>. */}}
{{- define "tandem.serverComponent" -}}
{{- printf "%s-%s-%s" (include "tandem.fullname" .root) .server .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Image of a service; the tag defaults to the chart's appVersion, never "latest". */}}
{{- define "tandem.image" -}}
{{- $tag := default (printf "%s%s" .root.Chart.AppVersion (ternary "-native" "" (.root.Values.image.native | default false))) .root.Values.image.tag -}}
{{- printf "%s/%s/%s:%s" .root.Values.image.registry .root.Values.image.repository .service $tag }}
{{- end }}

{{- define "tandem.kafka" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{- printf "%s-kafka-kafka-bootstrap:9092" (include "tandem.fullname" .) }}
{{- else -}}
{{- required "kafka.bootstrapServers is required (or kafka.strimzi.enabled)" .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{- define "tandem.pgHost" -}}
{{- if .Values.postgresql.cloudnativepg.enabled -}}
{{- printf "%s-pg-rw" (include "tandem.fullname" .) }}
{{- else -}}
{{- required "postgresql.host is required (or postgresql.cloudnativepg.enabled)" .Values.postgresql.host }}
{{- end }}
{{- end }}

{{/* The Secret of a service's database role (dict root, role: lease | admin): its own, else postgresql.existingSecret. */}}
{{- define "tandem.pgSecret" -}}
{{- $pg := .root.Values.postgresql -}}
{{- if $pg.cloudnativepg.enabled -}}
{{- printf "%s-pg-app" (include "tandem.fullname" .root) }}
{{- else -}}
{{- $own := ternary $pg.leaseSecret $pg.adminSecret (eq .role "lease") -}}
{{- required "postgresql.existingSecret is required (or postgresql.leaseSecret and postgresql.adminSecret): Secrets with keys username and password" (coalesce $own $pg.existingSecret) }}
{{- end }}
{{- end }}

{{/* Database credentials as environment variables, from the role's Secret (dict root, role). */}}
{{- define "tandem.pgCredentials" -}}
- name: QUARKUS_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "tandem.pgSecret" . }}
      key: username
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "tandem.pgSecret" . }}
      key: password
{{- end }}

{{/* A JDBC URL to a database (dict root, database), with the TLS settings of postgresql.tls. */}}
{{- define "tandem.jdbcUrl" -}}
{{- $pg := .root.Values.postgresql -}}
{{- $params := list -}}
{{- if $pg.tls.sslMode }}{{ $params = append $params (printf "sslmode=%s" $pg.tls.sslMode) }}{{ end -}}
{{- if $pg.tls.caSecret }}{{ $params = append $params "sslrootcert=/etc/tandem/pg-ca/ca.crt" }}{{ end -}}
{{- printf "jdbc:postgresql://%s:%d/%s" (include "tandem.pgHost" .root) (int $pg.port) .database }}{{ if $params }}?{{ join "&" $params }}{{ end }}
{{- end }}

{{/* The reactive client's TLS settings (the lease-service), as environment variables. */}}
{{- define "tandem.pgReactiveTls" -}}
{{- $tls := .Values.postgresql.tls -}}
{{- if $tls.sslMode }}
- name: QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE
  value: {{ $tls.sslMode | quote }}
- name: QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM
  value: {{ ternary "HTTPS" "NONE" (eq $tls.sslMode "verify-full") | quote }}
{{- end }}
{{- if $tls.caSecret }}
- name: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM
  value: "true"
- name: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS
  value: /etc/tandem/pg-ca/ca.crt
{{- end }}
{{- end }}

{{/* The database CA's volume and its mount, when postgresql.tls.caSecret is set. */}}
{{- define "tandem.pgCaVolume" -}}
{{- if .Values.postgresql.tls.caSecret }}
- name: pg-ca
  secret:
    secretName: {{ .Values.postgresql.tls.caSecret }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end }}

{{- define "tandem.pgCaMount" -}}
{{- if .Values.postgresql.tls.caSecret }}
- name: pg-ca
  mountPath: /etc/tandem/pg-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* Pod security context: non-root, default seccomp. */}}
{{- define "tandem.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 185
runAsGroup: 185
fsGroup: 185
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container security context: nothing added, nothing writable but /tmp. */}}
{{- define "tandem.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* The three Quarkus health probes on the http port. */}}
{{- define "tandem.probes" -}}
startupProbe:
  httpGet: {path: /q/health/started, port: http}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /q/health/live, port: http}
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /q/health/ready, port: http}
  periodSeconds: 5
  failureThreshold: 2
{{- end }}

{{/* Keeps one server's pods off the nodes of the other server; ctx: dict root, server. */}}
{{- define "tandem.affinity" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchExpressions:
          - key: app.kubernetes.io/instance
            operator: In
            values: [{{ .root.Release.Name | quote }}]
          - key: tandem.dev/server
            operator: Exists
          - key: tandem.dev/server
            operator: NotIn
            values: [{{ .server | quote }}]
{{- end }}

{{- define "tandem.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "tandem.tmp" -}}
- name: tmp
  emptyDir: {}
{{- end }}

{{/* Logging: JSON lines instead of text when logging.json is set. */}}
{{- define "tandem.logEnv" -}}
{{- if .Values.logging.json }}
- name: QUARKUS_LOG_CONSOLE_JSON_ENABLED
  value: "true"
{{- end }}
{{- end }}
