{{/* The release's base name: <release>-videodiffusion-farm, or the release name when it already holds the chart's. */}}
{{- define "farm.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "farm.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (silo, gateway, redis, azurite). */}}
{{- define "farm.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "farm.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{- define "farm.redisSecret" -}}
{{- default (printf "%s-redis" (include "farm.fullname" .)) .Values.redis.existingSecret -}}
{{- end -}}

{{- define "farm.tlsSecret" -}}
{{- default (printf "%s-tls" (include "farm.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{/* The TLS certificate Secret as a pod volume and its mount (silos and gateway). */}}
{{- define "farm.tlsVolumeMounts" -}}
{{- if .Values.tls.enabled }}
- name: tls
  mountPath: /etc/farm/tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "farm.tlsVolumes" -}}
{{- if .Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ include "farm.tlsSecret" . }}
    items:
      - key: cluster.pfx
        path: cluster.pfx
{{- end }}
{{- end -}}

{{- define "farm.blobSecret" -}}
{{- default (printf "%s-blob" (include "farm.fullname" .)) .Values.artifacts.existingSecret -}}
{{- end -}}

{{- define "farm.azuriteConnectionString" -}}
{{- printf "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://%s-azurite:10000/devstoreaccount1;" (include "farm.fullname" .) -}}
{{- end -}}

{{/* Seconds as a TimeSpan in the [d.]hh:mm:ss form .NET configuration binds (a bare number would be read as days). */}}
{{- define "farm.timespan" -}}
{{- $s := int64 . -}}
{{- if ge $s 86400 }}{{ div $s 86400 }}.{{ end -}}
{{- printf "%02d:%02d:%02d" (div (mod $s 86400) 3600) (div (mod $s 3600) 60) (mod $s 60) -}}
{{- end -}}

{{/* Milliseconds (under a minute) as a TimeSpan, 00:00:ss.fff. */}}
{{- define "farm.timespanMilliseconds" -}}
{{- $ms := int64 . -}}
{{- printf "00:00:%02d.%03d" (div $ms 1000) (mod $ms 1000) -}}
{{- end -}}

{{/* Environment both the silos and the gateway need: cluster identity, Redis, artifact storage, the dashboard switch. */}}
{{- define "farm.sharedEnv" -}}
- name: Farm__Clustering
  value: Redis
- name: Farm__ServiceId
  value: {{ .Values.orleans.serviceId | quote }}
- name: Farm__ClusterId
  value: {{ .Values.orleans.clusterId | quote }}
- name: Farm__RedisConnection
{{- if .Values.redis.bundled }}
  value: {{ printf "%s-redis:6379" (include "farm.fullname" .) | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "farm.redisSecret" . }}
      key: connectionString
{{- end }}
{{- if .Values.redis.passwordSecret }}
- name: Farm__RedisPassword
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.passwordSecret }}
      key: password
{{- end }}
{{- if .Values.tls.enabled }}
- name: Farm__Tls__CertificatePath
  value: /etc/farm/tls/cluster.pfx
- name: Farm__Tls__CertificatePassword
  valueFrom:
    secretKeyRef:
      name: {{ include "farm.tlsSecret" . }}
      key: password
{{- end }}
- name: Farm__Artifacts__Kind
  value: AzureBlob
- name: Farm__Artifacts__Container
  value: {{ .Values.artifacts.container | quote }}
- name: Farm__Artifacts__ConnectionString
{{- if .Values.artifacts.azurite.enabled }}
  value: {{ include "farm.azuriteConnectionString" . | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "farm.blobSecret" . }}
      key: connectionString
{{- end }}
{{- if .Values.gateway.dashboard.enabled }}
- name: Farm__Dashboard
  value: "true"
{{- end }}
{{- end -}}

{{/* The Secret holding the operator key's SHA-256 (key operatorKeySha256), or empty when the dashboard has no key. */}}
{{- define "farm.operatorKeySecret" -}}
{{- $d := .Values.gateway.dashboard -}}
{{- if $d.existingSecret -}}
{{- $d.existingSecret -}}
{{- else if $d.operatorKeySha256 -}}
{{- printf "%s-operator-key" (include "farm.fullname" .) -}}
{{- end -}}
{{- end -}}
