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
{{/* A service's image (dict root, service, and server for a server's own imageTag: one server upgraded at a time). */}}
{{- define "tandem.image" -}}
{{- $tag := default (printf "%s%s" .root.Chart.AppVersion (ternary "-native" "" (.root.Values.image.native | default false))) .root.Values.image.tag -}}
{{- with .server }}{{ with .imageTag }}{{ $tag = . }}{{ end }}{{ end -}}
{{- printf "%s/%s/%s:%s" .root.Values.image.registry .root.Values.image.repository .service $tag }}
{{- end }}

{{- define "tandem.kafka" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{- printf "%s-kafka-kafka-bootstrap:%d" (include "tandem.fullname" .) (ternary 9093 9092 .Values.kafka.tls.enabled) }}
{{- else -}}
{{- required "kafka.bootstrapServers is required (or kafka.strimzi.enabled)" .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{/* A service's Kafka principal (dict root, principal: <server>-<service> or admin-api): prefixed by the release. */}}
{{- define "tandem.kafkaPrincipal" -}}
{{- printf "%s-%s" (include "tandem.fullname" .root) .principal | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Kafka client settings of a service as environment variables (dict root, principal): the brokers, and with
kafka.authentication scram-sha-512 the service's own principal and its password from its Secret (Strimzi's KafkaUser
Secret, or <kafka.credentialsSecretPrefix><principal> made by the operator; key password); with kafka.tls.enabled TLS,
checked against the CA of kafka.tls.caSecret (key ca.crt; Strimzi's cluster CA by default).
*/}}
{{- define "tandem.kafkaEnv" -}}
{{- $kafka := .root.Values.kafka -}}
{{- $scram := eq $kafka.authentication "scram-sha-512" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ (and .server .server.kafkaBootstrapServers) | default (include "tandem.kafka" .root) | quote }}
{{- $protocol := ternary "SSL" "PLAINTEXT" $kafka.tls.enabled -}}
{{- if $scram }}{{ $protocol = printf "SASL_%s" $protocol }}{{ end }}
- name: TANDEM_KAFKA_SECURITY_PROTOCOL
  value: {{ $protocol }}
{{- if $scram }}
{{- $principal := include "tandem.kafkaPrincipal" . }}
- name: TANDEM_KAFKA_USERNAME
  value: {{ $principal | quote }}
- name: TANDEM_KAFKA_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "tandem.kafkaSecret" (dict "root" .root "principal" $principal) }}
      key: password
{{- end }}
{{- if $kafka.tls.enabled }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/tandem/kafka-ca/ca.crt
{{- end }}
{{- end }}

{{/*
The ACLs of one service (dict server, service: gateway, lease-service, coordinator, or admin-api with no server), as
Strimzi writes them: the topics it reads and writes and the prefix of its consumer groups. The same table as
dev.tandem.protocol.access.BusAccess, which the chart tests compare it with.
*/}}
{{- define "tandem.busAcls" -}}
{{- $s := .server -}}
{{- $t := dict "requests" (printf "tandem.%s.lease-requests" $s) "replies" (printf "tandem.%s.lease-replies" $s) "state" (printf "tandem.%s.failover-state" $s) "updates" (printf "tandem.%s.binding-updates" $s) "acks" (printf "tandem.%s.binding-acks" $s) "partner" (printf "tandem.%s.partner-updates" $s) "partnerReplies" (printf "tandem.%s.partner-update-replies" $s) "commands" (printf "tandem.%s.failover-commands" $s) "health" (printf "tandem.%s.service-health" $s) "leaseCommands" (printf "tandem.%s.lease-commands" $s) "leaseCommandReplies" (printf "tandem.%s.lease-command-replies" $s) -}}
{{- $reads := dict
    "gateway" (list "tandem.config" $t.state $t.replies)
    "lease-service" (list "tandem.config" $t.state $t.requests $t.acks $t.partner $t.commands $t.leaseCommands "tandem.lease-events")
    "coordinator" (list "tandem.config" $t.state $t.updates $t.partnerReplies $t.leaseCommandReplies $t.health)
    "admin-api" (list "tandem.lease-events" "tandem.scope-statistics") -}}
{{- $writes := dict
    "gateway" (list $t.requests $t.health)
    "lease-service" (list $t.replies "tandem.lease-events" "tandem.scope-statistics" $t.updates $t.partnerReplies $t.leaseCommandReplies $t.health)
    "coordinator" (list $t.state $t.acks $t.commands $t.partner $t.leaseCommands)
    "admin-api" (list "tandem.config") -}}
{{- range $topic := get $reads .service }}
- resource: {type: topic, name: {{ $topic }}, patternType: literal}
  operations: [Read]
{{- end }}
{{- range $topic := get $writes .service }}
- resource: {type: topic, name: {{ $topic }}, patternType: literal}
  operations: [Write]
{{- end }}
- resource: {type: group, name: {{ ternary "tandem-admin-api" (printf "tandem-%s-%s" $s .service) (eq .service "admin-api") }}, patternType: prefix}
  operations: [Read]
{{- end }}

{{/* The Secret holding a principal's Kafka password (dict root, principal). */}}
{{- define "tandem.kafkaSecret" -}}
{{- if .root.Values.kafka.strimzi.enabled -}}
{{- .principal }}
{{- else -}}
{{- printf "%s%s" (required "kafka.credentialsSecretPrefix is required with kafka.authentication scram-sha-512 and an external Kafka: the Secrets <prefix><principal> with key password" .root.Values.kafka.credentialsSecretPrefix) .principal }}
{{- end }}
{{- end }}

{{/* The Kafka CA's volume and its mount, when kafka.tls.enabled. */}}
{{- define "tandem.kafkaCaVolume" -}}
{{- if .Values.kafka.tls.enabled }}
- name: kafka-ca
  secret:
    secretName: {{ include "tandem.kafkaCaSecret" . }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end }}

{{- define "tandem.kafkaCaMount" -}}
{{- if .Values.kafka.tls.enabled }}
- name: kafka-ca
  mountPath: /etc/tandem/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "tandem.kafkaCaSecret" -}}
{{- if .Values.kafka.tls.caSecret -}}
{{- .Values.kafka.tls.caSecret }}
{{- else if .Values.kafka.strimzi.enabled -}}
{{- printf "%s-kafka-cluster-ca-cert" (include "tandem.fullname" .) }}
{{- else -}}
{{- required "kafka.tls.caSecret is required with kafka.tls.enabled and an external Kafka: a Secret whose key ca.crt is the brokers' CA" .Values.kafka.tls.caSecret }}
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

{{/* A JDBC URL to a database (dict root, database, server optional: its own postgresqlHost), with postgresql.tls. */}}
{{- define "tandem.jdbcUrl" -}}
{{- $pg := .root.Values.postgresql -}}
{{- $params := list -}}
{{- if $pg.tls.sslMode }}{{ $params = append $params (printf "sslmode=%s" $pg.tls.sslMode) }}{{ end -}}
{{- if $pg.tls.caSecret }}{{ $params = append $params "sslrootcert=/etc/tandem/pg-ca/ca.crt" }}{{ end -}}
{{- $host := (and .server .server.postgresqlHost) | default (include "tandem.pgHost" .root) -}}
{{- printf "jdbc:postgresql://%s:%d/%s" $host (int $pg.port) .database }}{{ if $params }}?{{ join "&" $params }}{{ end }}
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
# No service uses the Kubernetes API: no token in the pods.
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
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
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The pod annotations of every workload (podAnnotations). */}}
{{- define "tandem.podAnnotations" -}}
{{- with .Values.podAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
