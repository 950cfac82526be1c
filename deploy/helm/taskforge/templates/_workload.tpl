{{/*
A service's Deployment. Argument: (dict
  "root" $                      the chart's context
  "component" "task-catalog"    name of the component, its image and its database key
  "svc" .Values.taskCatalog     the component's values
  "ports" (list (dict "name" "grpc" "port" 50051))
  "env" (include "taskforge.taskCatalog.env" $)   its own variables, an EnvVar list in YAML)
Every service reads DATABASE_URL, NATS_URL and HEALTH_PORT and answers /healthz and /readyz there,
connects to NATS as its own user (NATS_CREDS) and calls and answers the other services under its own
gRPC identity (GRPC_AUTH_FILE): its two keys of the NATS auth Secret, each mounted alone.
*/}}
{{- define "taskforge.deployment" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $names := dict "root" $root "component" .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "taskforge.componentName" $names }}
  labels:
    {{- include "taskforge.labels" $names | nindent 4 }}
spec:
  replicas: {{ $svc.replicaCount }}
  selector:
    matchLabels:
      {{- include "taskforge.selectorLabels" $names | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "taskforge.labels" $names | nindent 8 }}
      {{- with $svc.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "taskforge.serviceAccountName" $root }}
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      # The service stops its servers, relay and projections within 15s of SIGTERM.
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ .component }}
          image: {{ include "taskforge.image" $names | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          ports:
            {{- range .ports }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: TCP
            {{- end }}
            - name: health
              containerPort: {{ $svc.healthPort }}
              protocol: TCP
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "taskforge.databaseSecretName" $root }}
                  key: {{ .component }}
            - name: NATS_URL
              value: {{ include "taskforge.natsUrl" $root | quote }}
            - name: NATS_CREDS
              value: {{ printf "%s/%s.creds" (include "taskforge.natsCredentialsDir" $root) .component | quote }}
            - name: GRPC_AUTH_FILE
              value: {{ printf "%s/%s.json" (include "taskforge.grpcAuthDir" $root) .component | quote }}
            - name: NATS_STREAM_REPLICAS
              value: {{ $root.Values.nats.streamReplicas | quote }}
            - name: HEALTH_PORT
              value: {{ $svc.healthPort | quote }}
            {{- include "taskforge.telemetryEnv" $root | nindent 12 }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $svc.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: health
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: health
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 3
          resources:
            {{- toYaml $svc.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: nats-credentials
              mountPath: {{ include "taskforge.natsCredentialsDir" $root }}
              readOnly: true
            - name: grpc-auth
              mountPath: {{ include "taskforge.grpcAuthDir" $root }}
              readOnly: true
      volumes:
        - name: tmp
          emptyDir: {}
        - name: nats-credentials
          secret:
            secretName: {{ include "taskforge.natsAuthSecretName" $root }}
            defaultMode: 0440
            items:
              - key: {{ .component }}.creds
                path: {{ .component }}.creds
        - name: grpc-auth
          secret:
            secretName: {{ include "taskforge.natsAuthSecretName" $root }}
            defaultMode: 0440
            items:
              - key: {{ .component }}.grpc-auth.json
                path: {{ .component }}.json
      {{- with $svc.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/* The ClusterIP Service of a gRPC server; argument: (dict "root" $ "component" "<name>" "port" <grpcPort>). */}}
{{- define "taskforge.grpcService" -}}
{{- $names := dict "root" .root "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "taskforge.componentName" $names }}
  labels:
    {{- include "taskforge.labels" $names | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "taskforge.selectorLabels" $names | nindent 4 }}
  ports:
    - name: grpc
      port: {{ .port }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
{{- end -}}
