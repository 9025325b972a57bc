{{/* The release's prefix of every name: the release name, with the chart's unless it holds it. */}}
{{- define "shop.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The three backends; the gateway is the fourth part. */}}
{{- define "shop.backends" -}}customer products shopping{{- end -}}
{{- define "shop.parts" -}}customer products shopping gateway{{- end -}}

{{/* Labels that select one part's pods. Call with (dict "root" $ "part" "customer"). */}}
{{- define "shop.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .part }}
{{- end -}}

{{- define "shop.labels" -}}
{{ include "shop.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The name of one part's objects (Deployment, Service, ConfigMap, HPA). */}}
{{- define "shop.partName" -}}{{ include "shop.fullname" .root }}-{{ .part }}{{- end -}}

{{/* Secret names, fixed so that they can be made outside the chart (secrets.create=false). */}}
{{- define "shop.jwtPrivateSecret" -}}{{ include "shop.fullname" . }}-jwt-private{{- end -}}
{{- define "shop.jwtPublicSecret" -}}{{ include "shop.fullname" . }}-jwt-public{{- end -}}
{{- define "shop.adminSecret" -}}{{ include "shop.fullname" . }}-admin{{- end -}}
{{/* A backend's connections: its MongoDB URL and its own broker user's AMQP URL. */}}
{{- define "shop.connectionsSecret" -}}{{ include "shop.fullname" .root }}-{{ .part }}-connections{{- end -}}

{{/* Where the secret files are mounted in a pod. */}}
{{- define "shop.secretsDir" -}}/etc/shop/secrets{{- end -}}

{{/* The broker URL with a backend's own credentials in it. */}}
{{- define "shop.amqpUrl" -}}
{{- $user := index .root.Values.rabbitmq.users .part -}}
{{- $credentials := printf "%s:%s@" (urlquery $user.username) (urlquery $user.password) -}}
{{- regexReplaceAll "^(amqps?://)" .root.Values.rabbitmq.url (printf "${1}%s" $credentials) -}}
{{- end -}}

{{/* A backend's MongoDB: its own server when it has one, else the shared one. */}}
{{- define "shop.mongoUrl" -}}
{{- default .root.Values.mongodb.url (index .root.Values.mongodb.urls .part) -}}
{{- end -}}

{{- define "shop.image" -}}
{{- $part := index .root.Values .part -}}
{{ $part.image.repository }}:{{ $part.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- end -}}
