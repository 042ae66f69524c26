/**
 * The script the token refresher (CronJob and deploy-time Job) runs in the chart's `awsCliImage`.
 *
 * Tools: `amazon/aws-cli` is Amazon Linux 2 with the AWS CLI v2 on PATH; bash, curl, coreutils (`base64`), grep and sed
 * come with the base image. The Python inside the AWS CLI is not on PATH and `jq` is only in some image versions, so
 * the script uses neither: the docker config is built with printf (every value in it is checked against a safe
 * character set first) and the Secret is updated with curl through the Kubernetes API, authenticated with the pod's
 * ServiceAccount token. It is kept in TypeScript (not a .sh file) so it ships with the compiled package.
 *
 * Secrets: the ECR password and the ServiceAccount token never appear in argv (printf is a bash builtin; curl reads
 * the header from a process substitution and the body from stdin) nor in the logs. The update is a JSON merge patch of
 * `data` only, so the Secret's metadata (set by Pulumi) is left alone.
 *
 * Environment: AWS_REGION, REGISTRY_HOST (required); AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (from the credentials
 * Secret); SECRET_NAME (default image-repo-secret); NAMESPACE (default: the pod's); KUBE_API_URL (default: the
 * in-cluster API server) and SA_DIR (default: the mounted ServiceAccount) exist for tests.
 */
export const REFRESHER_SCRIPT = String.raw`#!/usr/bin/env bash
# Writes a fresh ECR login into the image-repo-secret Secret (kubernetes.io/dockerconfigjson).
set -euo pipefail

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() { log "error: $*"; exit 1; }
# getenv NAME [DEFAULT]: the variable's value, the default when it is unset or empty.
getenv() { local v; v="$(printenv "$1" || true)"; if [ -n "$v" ]; then printf '%s' "$v"; else printf '%s' "$2"; fi; }

AWS_REGION="$(getenv AWS_REGION '')"
REGISTRY_HOST="$(getenv REGISTRY_HOST '')"
SECRET_NAME="$(getenv SECRET_NAME image-repo-secret)"
SA_DIR="$(getenv SA_DIR /var/run/secrets/kubernetes.io/serviceaccount)"
[ -n "$AWS_REGION" ] || fail "AWS_REGION is required"
[ -n "$REGISTRY_HOST" ] || fail "REGISTRY_HOST is required"
[ -r "$SA_DIR/token" ] || fail "no ServiceAccount token at $SA_DIR/token (automountServiceAccountToken must be on)"
NAMESPACE="$(getenv NAMESPACE "$(cat "$SA_DIR/namespace" 2>/dev/null || true)")"
KUBE_API_URL="$(getenv KUBE_API_URL '')"
if [ -z "$KUBE_API_URL" ]; then
  api_host="$(getenv KUBERNETES_SERVICE_HOST '')"
  [ -n "$api_host" ] || fail "KUBERNETES_SERVICE_HOST is unset: not running in a pod"
  case "$api_host" in *:*) api_host="[$api_host]" ;; esac
  KUBE_API_URL="https://$api_host:$(getenv KUBERNETES_SERVICE_PORT 443)"
fi

# Everything that goes into a URL or the JSON below is checked first, so printf cannot produce broken or injected JSON.
[[ "$REGISTRY_HOST" =~ ^[a-z0-9.-]+$ ]] || fail "REGISTRY_HOST \"$REGISTRY_HOST\" is not a registry host name"
[[ "$NAMESPACE" =~ ^[a-z0-9-]+$ && "$SECRET_NAME" =~ ^[a-z0-9.-]+$ ]] || fail "bad NAMESPACE \"$NAMESPACE\" or SECRET_NAME \"$SECRET_NAME\""
SECRET_URL="$KUBE_API_URL/api/v1/namespaces/$NAMESPACE/secrets/$SECRET_NAME"

auth_header() { printf 'Authorization: Bearer %s\n' "$(cat "$SA_DIR/token")"; }

# kube METHOD [curl args...]: the response body, then the HTTP status on a line of its own.
kube() {
  local method="$1"; shift
  curl --silent --show-error --max-time 30 --retry 3 --cacert "$SA_DIR/ca.crt" \
    -H @<(auth_header) -X "$method" -w '\n%{http_code}' "$@" "$SECRET_URL"
}
status_of() { tail -n 1 <<<"$1"; }
# Only the message of a Kubernetes Status is ever logged, never a body that could hold Secret data.
message_of() { sed '$d' <<<"$1" | sed -n 's/.*"message"[[:space:]]*:[[:space:]]*"\(\([^"\\]\|\\.\)*\)".*/\1/p' | sed 's/\\"/"/g'; }

# 1. The Secret must exist (Pulumi creates it; this Role may not create Secrets) and hold a docker config.
response="$(kube GET)" || fail "cannot reach the Kubernetes API at $KUBE_API_URL"
case "$(status_of "$response")" in
  200) ;;
  404) fail "Secret $NAMESPACE/$SECRET_NAME does not exist; it is created by the DifyPluginRegistry component" ;;
  *) fail "GET Secret $NAMESPACE/$SECRET_NAME: HTTP $(status_of "$response") $(message_of "$response")" ;;
esac
grep -Eq '"type"[[:space:]]*:[[:space:]]*"kubernetes\.io/dockerconfigjson"' <<<"$response" \
  || fail "Secret $NAMESPACE/$SECRET_NAME is not of type kubernetes.io/dockerconfigjson"

# 2. A fresh ECR password (valid 12 hours) for the access key in the environment.
if ! password="$(aws ecr get-login-password --region "$AWS_REGION")"; then
  fail "aws ecr get-login-password --region $AWS_REGION failed (check the access key and ecr:GetAuthorizationToken)"
fi
[[ -n "$password" && "$password" =~ ^[A-Za-z0-9+/=._-]+$ ]] || fail "aws ecr get-login-password printed something that is not a token"

# 3. The docker config: the same JSON for kubelet (.dockerconfigjson) and kaniko (config.json).
auth="$(printf 'AWS:%s' "$password" | base64 | tr -d '\n')"
config="$(printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY_HOST" "$auth" | base64 | tr -d '\n')"
unset password auth

# 4. Merge-patch only the data of the one Secret the Role allows; metadata stays as Pulumi wrote it.
response="$(printf '{"data":{".dockerconfigjson":"%s","config.json":"%s"}}' "$config" "$config" \
  | kube PATCH -H 'Content-Type: application/merge-patch+json' --data-binary @-)" \
  || fail "cannot reach the Kubernetes API at $KUBE_API_URL"
case "$(status_of "$response")" in
  200) log "refreshed $NAMESPACE/$SECRET_NAME for $REGISTRY_HOST (valid for 12 hours)" ;;
  *) fail "PATCH Secret $NAMESPACE/$SECRET_NAME: HTTP $(status_of "$response") $(message_of "$response")" ;;
esac
`;
