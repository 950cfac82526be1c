{{/* Names, labels and the addresses the components use to find each other. */}}

{{- define "taskforge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "taskforge.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects; the argument is (dict "root" $ "component" "task-catalog"). */}}
{{- define "taskforge.componentName" -}}
{{- printf "%s-%s" (include "taskforge.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "taskforge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Argument: (dict "root" $ "component" "<name>"). */}}
{{- define "taskforge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "taskforge.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Argument: (dict "root" $ "component" "<name>"). */}}
{{- define "taskforge.labels" -}}
helm.sh/chart: {{ include "taskforge.chart" .root }}
{{ include "taskforge.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: taskforge
{{- end -}}

{{/* Image of a component; argument: (dict "root" $ "component" "<name>"). */}}
{{- define "taskforge.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := printf "%s/%s" $image.repository .component -}}
{{- if $image.registry -}}
{{- $repository = printf "%s/%s" $image.registry $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{- define "taskforge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "taskforge.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The services by component name, with the key of their values. */}}
{{- define "taskforge.components" -}}
gateway: gateway
task-catalog: taskCatalog
job-scheduler: jobScheduler
bot-dispatch: botDispatch
webhook-relay: webhookRelay
{{- end -}}

{{/* Each service's database in the bundled Postgres (the names `npm start` and compose use). */}}
{{- define "taskforge.databases" -}}
gateway: taskforge_gateway
task-catalog: taskforge_catalog
job-scheduler: taskforge_scheduler
bot-dispatch: taskforge_dispatch
webhook-relay: taskforge_webhooks
{{- end -}}

{{- define "taskforge.databaseSecretName" -}}
{{- if and (not .Values.postgresql.bundled) .Values.externalDatabase.existingSecret -}}
{{- .Values.externalDatabase.existingSecret -}}
{{- else -}}
{{- printf "%s-database-urls" (include "taskforge.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "taskforge.rootTokenSecretName" -}}
{{- default (printf "%s-root-token" (include "taskforge.fullname" .)) .Values.rootToken.existingSecret -}}
{{- end -}}

{{- define "taskforge.secretsKeysSecretName" -}}
{{- default (printf "%s-secrets-keys" (include "taskforge.fullname" .)) .Values.secretsKeys.existingSecret -}}
{{- end -}}

{{- define "taskforge.natsUrl" -}}
{{- if .Values.nats.bundled -}}
{{- printf "nats://%s:4222" (include "taskforge.componentName" (dict "root" . "component" "nats")) -}}
{{- else -}}
{{- required "nats.url is required when nats.bundled is false" .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{/*
The NATS authentication (operator mode) the services, bot-dispatch and the bundled NATS read: keys
nats-server-auth.conf, <component>.creds, NATS_ACCOUNT and NATS_ACCOUNT_SIGNING_SEED. Written by the
nats-auth-init hook Job (`--kubernetes-secrets <fullname>` names it <fullname>-nats-auth) unless
nats.auth.existingSecret names one.
*/}}
{{- define "taskforge.natsAuthSecretName" -}}
{{- default (printf "%s-nats-auth" (include "taskforge.fullname" .)) .Values.nats.auth.existingSecret -}}
{{- end -}}

{{/* Where a service finds its .creds file (the path compose uses too). */}}
{{- define "taskforge.natsCredentialsDir" -}}
/var/lib/taskforge/nats-auth/nats-credentials
{{- end -}}

{{/* Where a service finds its gRPC identity (the path compose uses too). */}}
{{- define "taskforge.grpcAuthDir" -}}
/var/lib/taskforge/nats-auth/grpc-auth
{{- end -}}

{{/*
The services each gRPC server takes calls from (decision 17): its NetworkPolicy admits only their
pods, as the server itself admits only their credentials.
*/}}
{{- define "taskforge.grpcCallers" -}}
task-catalog: [gateway, job-scheduler]
job-scheduler: [gateway]
bot-dispatch: [gateway, task-catalog]
webhook-relay: [gateway]
{{- end -}}

{{/* host:port of a gRPC service; argument: (dict "root" $ "component" "<name>" "port" <grpcPort>). */}}
{{- define "taskforge.grpcAddress" -}}
{{- printf "%s:%v" (include "taskforge.componentName" .) .port -}}
{{- end -}}

{{/* Environment of every component: logs and traces. */}}
{{- define "taskforge.telemetryEnv" -}}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- if .Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.otel.endpoint | quote }}
{{- end }}
{{- end -}}
