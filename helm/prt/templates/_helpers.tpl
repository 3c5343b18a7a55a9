{{/* The release's resource name prefix. */}}
{{- define "prt.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "prt.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "prt.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "prt.secretName" -}}
{{- if .Values.secrets.existingSecret -}}{{ .Values.secrets.existingSecret }}{{- else -}}{{ include "prt.fullname" . }}-secrets{{- end -}}
{{- end -}}

{{/* The secret holding the researcher token and the upload-token key (the existing secret holds both kinds). */}}
{{- define "prt.tokensSecretName" -}}
{{- if .Values.secrets.existingSecret -}}{{ .Values.secrets.existingSecret }}{{- else -}}{{ include "prt.fullname" . }}-secrets-tokens{{- end -}}
{{- end -}}

{{/* envFrom for every PR Telemetry container: the settings, the secrets. */}}
{{- define "prt.envFrom" -}}
- configMapRef:
    name: {{ include "prt.fullname" . }}-settings
- secretRef:
    name: {{ include "prt.secretName" . }}
{{- if not .Values.secrets.existingSecret }}
- secretRef:
    name: {{ include "prt.tokensSecretName" . }}
{{- end }}
{{- end -}}

{{- define "prt.kafkaBootstrap" -}}
{{- if eq .Values.kafka.mode "strimzi" -}}
{{ include "prt.fullname" . }}-kafka-kafka-bootstrap:9092
{{- else -}}
{{ .Values.kafka.bootstrap }}
{{- end -}}
{{- end -}}

{{- define "prt.jdbcUrl" -}}
{{- if eq .Values.postgres.mode "cnpg" -}}
jdbc:postgresql://{{ include "prt.fullname" . }}-pg-rw:5432/{{ .Values.postgres.cnpg.database }}
{{- else -}}
{{ .Values.postgres.jdbcUrl }}
{{- end -}}
{{- end -}}

{{- define "prt.jdbcUser" -}}
{{- if eq .Values.postgres.mode "cnpg" -}}{{ .Values.postgres.cnpg.database }}{{- else -}}{{ .Values.postgres.user }}{{- end -}}
{{- end -}}

{{/* The JDBC password: from CloudNativePG's app secret, or from the chart's secret. */}}
{{- define "prt.jdbcPasswordEnv" -}}
- name: PRT_JDBC_PASSWORD
  valueFrom:
    secretKeyRef:
{{- if eq .Values.postgres.mode "cnpg" }}
      name: {{ include "prt.fullname" . }}-pg-app
      key: password
{{- else }}
      name: {{ include "prt.secretName" . }}
      key: PRT_JDBC_PASSWORD
{{- end }}
{{- end -}}

{{- define "prt.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name .root.Values.image.tag -}}
{{- end -}}

{{/* "90d", "12h", "30m", "45s" → milliseconds (values.schema.json allows only these forms). */}}
{{- define "prt.millis" -}}
{{- $t := toString . -}}
{{- $n := regexReplaceAll "[dhms]$" $t "" | int64 -}}
{{- if hasSuffix "d" $t -}}{{ mul $n 86400000 }}
{{- else if hasSuffix "h" $t -}}{{ mul $n 3600000 }}
{{- else if hasSuffix "m" $t -}}{{ mul $n 60000 }}
{{- else -}}{{ mul $n 1000 }}
{{- end -}}
{{- end -}}

{{/* Egress to DNS and the stores (ports; optionally only to networkPolicy.storesTo). */}}
{{- define "prt.storesEgress" -}}
# DNS
- ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
# Kafka, PostgreSQL, S3 (HTTPS, HTTP, and the usual S3-compatible port)
- ports:
    - {port: 9092, protocol: TCP}
    - {port: 5432, protocol: TCP}
    - {port: 443, protocol: TCP}
    - {port: 80, protocol: TCP}
    - {port: 9000, protocol: TCP}
  {{- with .Values.networkPolicy.storesTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
