#!/usr/bin/env bash
# Builds from published Go modules, and caches outside the repository, the real tools that run the Pulumi engine
# against a real Kubernetes API server:
#   pulumi (CLI), pulumi-language-nodejs, pulumi-resource-pulumi-nodejs (+ the other scripts the CLI release lays
#   beside its binaries), pulumi-resource-kubernetes, kube-apiserver, kube-controller-manager, helm; with --with
#   python,yaml,sdkgen also pulumi-language-python (+ pulumi-language-python-exec and a virtualenv holding the `pulumi`
#   package from PyPI at the CLI's version, $CACHE/python-venv), pulumi-language-yaml, and pulumi-sdkgen (pkg/v3's SDK
#   generators: the language hosts built here cannot generate SDKs; scripts/engine-tools/sdkgen/main.go says why); with
#   --with java also pulumi-language-java (the Java language host, which also generates Java SDKs for
#   `pulumi package gen-sdk --language java`) and pulumi-java-gen (pulumi-java's standalone Java SDK generator).
#
# Usage:
#   scripts/engine-tools.sh [--with python,yaml,sdkgen,java] [--force]   build what is missing, check versions, summary
#   scripts/engine-tools.sh --print-path [--with ...]        the same, quietly; prints only the bin dir on stdout:
#       PATH="$(scripts/engine-tools.sh --print-path):$PATH"
#
# Cache: ${DIFY_ENGINE_TOOLS:-$HOME/.cache/dify-plugin-registry/engine-tools}/bin (GOCACHE and GOMODCACHE keep the
# go command's defaults, in $HOME too). Each tool is keyed by its version and by the hash of its wrapper module
# (scripts/engine-tools/<name>/): a second run builds nothing. The wrapper modules say why each one exists.
#
# Versions: what the Go module proxy reachable here serves, which is not always what package-lock.json names:
#   - Pulumi CLI: pkg/v3 v3.248.0 = @pulumi/pulumi 3.248.0.
#   - Language hosts: sdk/v3 v3.68.0 (the proxy serves no version of the split-out language-host modules).
#   - Kubernetes provider: provider/v4 at the v4.25.0 tag (the only version served), while @pulumi/kubernetes is
#     4.34.2. It is installed on PATH (an "ambient" plugin), which the CLI uses whatever version a program asks for.
#   - kube-apiserver, kube-controller-manager: k8s.io/kubernetes v1.37.2 with staging modules v0.37.2.
#   - helm: helm.sh/helm/v3 v3.18.6, the Helm the Kubernetes provider 4.25.0 embeds (tests pull the mirrored chart
#     back with it: test/engine/chartMirror.engine.test.ts).
#   - Java tools: github.com/pulumi/pulumi-java/pkg v1.16.0 (pkg/v3 v3.182.0; the proxy serves pinned versions only),
#     whose Java SDK (com.pulumi:pulumi 1.16.0) Java programs take from Maven Central. Running them needs a JDK 11+
#     and Maven (Debian: default-jdk-headless maven), which --with java checks for.
#
# Running the engine with them (no download is possible here, and none is needed):
#   PATH="<bin>:$PATH"  the CLI finds the language host, pulumi-resource-pulumi-nodejs (dynamic providers) and
#                       pulumi-resource-kubernetes on PATH; it warns "using pulumi-resource-kubernetes from $PATH"
#   PULUMI_HOME=<temp dir>, pulumi login file://<temp dir>, PULUMI_CONFIG_PASSPHRASE=..., PULUMI_SKIP_UPDATE_CHECK=true,
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true (fail at once instead of trying to download a missing plugin)
#   test/support/apiServer.ts starts etcd + kube-apiserver + kube-controller-manager from here.
set -euo pipefail

PULUMI_VERSION=v3.248.0
LANGHOST_SDK_VERSION=v3.68.0
K8S_PROVIDER_VERSION=4.25.0
K8S_PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
KUBE_VERSION=v1.37.2
YAML_VERSION=v1.25.0
HELM_VERSION=v3.18.6
JAVA_VERSION=v1.16.0

# The whole script is one function, called on the last line (which also exits), so bash has read all of it before it
# runs: an edit or a checkout during a long build cannot change what the running script does.
main() {
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULES="$HERE/engine-tools"
CACHE="${DIFY_ENGINE_TOOLS:-$HOME/.cache/dify-plugin-registry/engine-tools}"
BIN="$CACHE/bin"
STAMPS="$CACHE/stamps"
WORK="$CACHE/work"

print_path=0
force=0
with=""
while [ $# -gt 0 ]; do
  case "$1" in
    --print-path) print_path=1 ;;
    --force) force=1 ;;
    --with) shift; with="${1:-}" ;;
    --with=*) with="${1#--with=}" ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "engine-tools: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
want_python=0
want_yaml=0
want_sdkgen=0
want_java=0
for w in ${with//,/ }; do
  case "$w" in
    python) want_python=1 ;;
    yaml) want_yaml=1 ;;
    sdkgen) want_sdkgen=1 ;;
    java) want_java=1 ;;
    *) echo "engine-tools: --with takes python, yaml, sdkgen and/or java, not '$w'" >&2; exit 2 ;;
  esac
done

# Everything but --print-path's single line goes to stderr in --print-path mode.
if [ "$print_path" = 1 ]; then exec 3>&1 1>&2; else exec 3>&1; fi
log() { echo "engine-tools: $*"; }
die() { echo "engine-tools: $*" >&2; exit 1; }

command -v go >/dev/null || die "'go' not found (Go 1.26 is needed to build the tools)"
command -v node >/dev/null || die "'node' not found"
if [ "$want_java" = 1 ]; then
  for tool in java javac mvn; do
    command -v "$tool" >/dev/null || die "'$tool' not found (--with java; Debian: apt-get install default-jdk-headless maven)"
  done
fi

mkdir -p "$BIN" "$STAMPS" "$WORK"
# One build at a time per cache (tests may call --print-path concurrently).
exec 9>"$CACHE/.lock"
flock 9

# Deterministic go command: module mode from the wrapper's go.mod/go.sum only, no workspace, no VCS stamping.
export GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"
GOBUILD=(nice -n 10 go build -trimpath)

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# fresh NAME KEY: true when the stamp says this key was built and the binary is still there.
fresh() {
  [ "$force" = 0 ] && [ -x "$BIN/$1" ] && [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]
}
stamp() { printf '%s' "$2" >"$STAMPS/$1"; }

built=()
# go_build NAME MODULE_DIR PACKAGE LDFLAGS: builds into $BIN/NAME atomically, timing it.
go_build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4" start
  start=$(date +%s)
  log "building $name ($pkg) ..."
  (cd "$dir" && "${GOBUILD[@]}" -ldflags "-s -w $ldflags" -o "$BIN/.$name.tmp" "$pkg")
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  log "built $name in $(($(date +%s) - start))s"
  built+=("$name")
}

# module_dir MODULE_DIR MODULE: where the go command unpacked MODULE (at the version the wrapper selects).
module_dir() {
  (cd "$1" && go mod download -json "$2" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s); if (m.Error || !m.Dir) { console.error(m.Error || "no Dir"); process.exit(1); }
      console.log(m.Dir);
    });')
}

# --- 1. Pulumi CLI -----------------------------------------------------------------------------------------------
key="$PULUMI_VERSION $(hash_of "$MODULES/pulumi/go.mod" "$MODULES/pulumi/go.sum")"
if ! fresh pulumi "$key"; then
  go_build pulumi "$MODULES/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
  stamp pulumi "$key"
fi

# --- 2. Scripts the CLI release lays beside its binaries (sdk/v3's nodejs/dist and python/dist) --------------------
key="$PULUMI_VERSION $(hash_of "$MODULES/pulumi/go.mod" "$MODULES/pulumi/go.sum")"
if ! fresh pulumi-resource-pulumi-nodejs "$key"; then
  sdk="$(module_dir "$MODULES/pulumi" github.com/pulumi/pulumi/sdk/v3)"
  for script in "$sdk"/nodejs/dist/* "$sdk"/python/dist/*; do
    case "$script" in *.cmd) continue ;; esac
    install -m 0755 "$script" "$BIN/$(basename "$script")"
    log "copied $(basename "$script") from sdk/v3@$PULUMI_VERSION"
  done
  # The Python host runs programs through this shim (found on PATH); it is the 3.248 one, matching the SDK.
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
  stamp pulumi-resource-pulumi-nodejs "$key"
  built+=("dist scripts")
fi

# --- 3. Language hosts ---------------------------------------------------------------------------------------------
key="$LANGHOST_SDK_VERSION $(hash_of "$MODULES/language-hosts/go.mod" "$MODULES/language-hosts/go.sum")"
if ! fresh pulumi-language-nodejs "$key"; then
  go_build pulumi-language-nodejs "$MODULES/language-hosts" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_SDK_VERSION"
  stamp pulumi-language-nodejs "$key"
fi
if [ "$want_python" = 1 ] && ! fresh pulumi-language-python "$key"; then
  go_build pulumi-language-python "$MODULES/language-hosts" \
    github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_SDK_VERSION"
  stamp pulumi-language-python "$key"
fi

# --- 4. Kubernetes provider ----------------------------------------------------------------------------------------
mod="$MODULES/kubernetes-provider"
key="$K8S_PROVIDER_VERSION $(hash_of "$mod/go.mod" "$mod/go.sum" "$mod/main.go")"
if ! fresh pulumi-resource-kubernetes "$key"; then
  # Build in a copy: main.go embeds the schema and terraform mapping, generated here from the module's own JSON
  # with the version set, as the provider's `go generate` (cmd/pulumi-resource-kubernetes/generate.go) does.
  build="$WORK/kubernetes-provider"
  rm -rf "$build" && mkdir -p "$build"
  cp "$mod/go.mod" "$mod/go.sum" "$mod/main.go" "$build/"
  src="$(module_dir "$build" github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
  node -e '
    const fs = require("fs");
    const [src, out, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
    schema.version = version;
    fs.writeFileSync(out + "/schema-embed.json", JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
    fs.writeFileSync(out + "/terraform-mapping-embed.json", JSON.stringify(mapping));
  ' "$src" "$build" "$K8S_PROVIDER_VERSION"
  go_build pulumi-resource-kubernetes "$build" . \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION"
  rm -rf "$build"
  stamp pulumi-resource-kubernetes "$key"
fi

# --- 5. kube-apiserver and kube-controller-manager -------------------------------------------------------------------
# The controller manager runs only the namespace, serviceaccount(-token) and garbage-collector controllers in tests
# (test/support/apiServer.ts): deleted namespaces go away and each namespace gets its "default" ServiceAccount.
key="$KUBE_VERSION $(hash_of "$MODULES/kube-apiserver/go.mod" "$MODULES/kube-apiserver/go.sum")"
minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
kv=k8s.io/component-base/version
# Without these the binaries call themselves v0.0.0-master, which breaks the emulation/compatibility version logic.
kube_ldflags="-X $kv.gitVersion=$KUBE_VERSION -X $kv.gitMajor=1 -X $kv.gitMinor=$minor -X $kv.gitTreeState=clean"
for cmd in kube-apiserver kube-controller-manager; do
  if ! fresh "$cmd" "$key"; then
    go_build "$cmd" "$MODULES/kube-apiserver" "k8s.io/kubernetes/cmd/$cmd" "$kube_ldflags"
    stamp "$cmd" "$key"
  fi
done

# --- 5b. helm ------------------------------------------------------------------------------------------------------
key="$HELM_VERSION $(hash_of "$MODULES/helm/go.mod" "$MODULES/helm/go.sum")"
if ! fresh helm "$key"; then
  go_build helm "$MODULES/helm" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  stamp helm "$key"
fi

# --- 6. YAML language host (--with yaml) ---------------------------------------------------------------------------
if [ "$want_yaml" = 1 ]; then
  key="$YAML_VERSION $(hash_of "$MODULES/yaml/go.mod" "$MODULES/yaml/go.sum")"
  if ! fresh pulumi-language-yaml "$key"; then
    go_build pulumi-language-yaml "$MODULES/yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
      "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION"
    stamp pulumi-language-yaml "$key"
  fi
fi

# --- 7. SDK generator (--with sdkgen) ----------------------------------------------------------------------------------
# Same module versions as the CLI (its wrapper's go.mod), so a warm Go build cache makes this a link step.
if [ "$want_sdkgen" = 1 ]; then
  mod="$MODULES/sdkgen"
  key="$PULUMI_VERSION $(hash_of "$mod/go.mod" "$mod/go.sum" "$mod/main.go")"
  if ! fresh pulumi-sdkgen "$key"; then
    go_build pulumi-sdkgen "$mod" . ""
    stamp pulumi-sdkgen "$key"
  fi
fi

# --- 7b. Java tools (--with java) ----------------------------------------------------------------------------------------
# Both commands of one module (its own pkg/v3 v3.182.0: a cold build compiles that once, the second command links).
if [ "$want_java" = 1 ]; then
  mod="$MODULES/java"
  key="$JAVA_VERSION $(hash_of "$mod/go.mod" "$mod/go.sum")"
  for cmd in pulumi-language-java pulumi-java-gen; do
    if ! fresh "$cmd" "$key"; then
      go_build "$cmd" "$mod" "github.com/pulumi/pulumi-java/pkg/cmd/$cmd" \
        "-X github.com/pulumi/pulumi-java/pkg/version.Version=$JAVA_VERSION"
      stamp "$cmd" "$key"
    fi
  done
fi

# --- 8. Python virtualenv (--with python): the `pulumi` package at the CLI's version, from PyPI -------------------------
# Python programs import the SDK of the CLI's release (pulumi-language-python-exec above is the 3.248 one). The old
# host ignores Pulumi.yaml's `virtualenv:` option: programs run with $CACHE/python-venv/bin first on PATH.
VENV="$CACHE/python-venv"
if [ "$want_python" = 1 ]; then
  # parver and semver: what generated SDKs require besides pulumi (their setup.py's install_requires); mypy: the
  # examples are type-checked against the generated SDK (test/engine/pythonTypes.engine.test.ts).
  py_packages=("pulumi==${PULUMI_VERSION#v}" parver semver setuptools wheel mypy)
  key="${py_packages[*]}"
  if [ "$force" = 1 ] || [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMPS/python-venv" 2>/dev/null)" != "$key" ]; then
    command -v python3 >/dev/null || die "'python3' not found (Debian: apt-get install python3 python3-venv)"
    start=$(date +%s)
    log "creating $VENV with ${py_packages[*]} from PyPI ..."
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    # setuptools and wheel: generated SDKs are installed from their setup.py without build isolation.
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${py_packages[@]}"
    stamp python-venv "$key"
    log "created python-venv in $(($(date +%s) - start))s"
    built+=("python-venv")
  fi
fi

# --- Checks --------------------------------------------------------------------------------------------------------
# The version of a module a Go binary was built from, from its build info (kept by -trimpath -s -w).
dep_version() {
  go version -m "$1" | awk -v m="$2" '($1 == "dep" || $1 == "mod") && $2 == m { print $3; exit }'
}
summary=()
check() { summary+=("$(printf '%-32s %s' "$1" "$2")"); }
fail() { die "check failed for $1: $2 (rerun with --force to rebuild)"; }

v="$("$BIN/pulumi" version 2>/dev/null)" || fail pulumi "'pulumi version' did not run"
[ "$v" = "$PULUMI_VERSION" ] || fail pulumi "'pulumi version' printed '$v', expected $PULUMI_VERSION"
check pulumi "$v"

for host in pulumi-language-nodejs $([ "$want_python" = 1 ] && echo pulumi-language-python); do
  v="$(dep_version "$BIN/$host" github.com/pulumi/pulumi/sdk/v3)"
  [ "$v" = "$LANGHOST_SDK_VERSION" ] || fail "$host" "built from sdk/v3 '$v', expected $LANGHOST_SDK_VERSION"
  check "$host" "sdk/v3 $v"
done
for script in pulumi-resource-pulumi-nodejs pulumi-resource-pulumi-python pulumi-language-python-exec; do
  [ -x "$BIN/$script" ] || fail "$script" "missing"
done
check pulumi-resource-pulumi-nodejs "script from sdk/v3 $PULUMI_VERSION"

# The provider must start and serve its schema through the CLI (a throwaway PULUMI_HOME: nothing is downloaded).
home="$(mktemp -d)"
# (run from that empty dir: in a folder with Pulumi.yaml/PulumiPlugin.yaml the CLI would load that project first)
v="$(cd "$home" && PULUMI_HOME="$home" PULUMI_SKIP_UPDATE_CHECK=true "$BIN/pulumi" package get-schema "$BIN/pulumi-resource-kubernetes" 2>&1 |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).version)}catch{console.log("no schema: "+s.slice(0,400))}})')"
rm -rf "$home"
[ "$v" = "$K8S_PROVIDER_VERSION" ] || fail pulumi-resource-kubernetes "schema version '$v', expected $K8S_PROVIDER_VERSION"
check pulumi-resource-kubernetes "$v (serves its schema; provider/v4 $(dep_version "$BIN/pulumi-resource-kubernetes" github.com/pulumi/pulumi-kubernetes/provider/v4))"

v="$("$BIN/kube-apiserver" --version 2>/dev/null)" || fail kube-apiserver "'kube-apiserver --version' did not run"
[ "$v" = "Kubernetes $KUBE_VERSION" ] || fail kube-apiserver "'--version' printed '$v', expected Kubernetes $KUBE_VERSION"
check kube-apiserver "$v"
v="$("$BIN/kube-controller-manager" --version 2>/dev/null)" || fail kube-controller-manager "'--version' did not run"
[ "$v" = "Kubernetes $KUBE_VERSION" ] || fail kube-controller-manager "'--version' printed '$v', expected Kubernetes $KUBE_VERSION"
check kube-controller-manager "$v"
v="$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" || fail helm "'helm version' did not run"
[ "$v" = "$HELM_VERSION" ] || fail helm "'helm version' printed '$v', expected $HELM_VERSION"
check helm "$v"

if [ "$want_yaml" = 1 ]; then
  v="$(dep_version "$BIN/pulumi-language-yaml" github.com/pulumi/pulumi-yaml)"
  [ "$v" = "$YAML_VERSION" ] || fail pulumi-language-yaml "built from pulumi-yaml '$v', expected $YAML_VERSION"
  check pulumi-language-yaml "pulumi-yaml $v"
fi

if [ "$want_sdkgen" = 1 ]; then
  # It must bind and generate: a one-resource schema through both generators.
  tmp="$(mktemp -d)"
  echo '{"name":"probe","version":"1.0.0","resources":{"probe:index:Probe":{"isComponent":true}}}' >"$tmp/schema.json"
  for lang in python go; do
    "$BIN/pulumi-sdkgen" --language "$lang" --out "$tmp/$lang" "$tmp/schema.json" 2>/dev/null ||
      { rm -rf "$tmp"; fail pulumi-sdkgen "did not generate a $lang SDK"; }
  done
  rm -rf "$tmp"
  check pulumi-sdkgen "pkg/v3 $(dep_version "$BIN/pulumi-sdkgen" github.com/pulumi/pulumi/pkg/v3) (python, go)"
fi
if [ "$want_java" = 1 ]; then
  for cmd in pulumi-language-java pulumi-java-gen; do
    v="$(dep_version "$BIN/$cmd" github.com/pulumi/pulumi-java/pkg)"
    [ "$v" = "$JAVA_VERSION" ] || fail "$cmd" "built from pulumi-java/pkg '$v', expected $JAVA_VERSION"
  done
  # Both must generate: a one-resource schema through pulumi-java-gen, and through the CLI's own command, which asks
  # the host (pulumi package gen-sdk --language java; a throwaway PULUMI_HOME, from an empty dir: nothing downloaded).
  tmp="$(mktemp -d)"
  echo '{"name":"probe","version":"1.0.0","resources":{"probe:index:Probe":{"isComponent":true}}}' >"$tmp/schema.json"
  (cd "$tmp" && "$BIN/pulumi-java-gen" generate --schema schema.json --out gen --local --build none >/dev/null 2>&1) &&
    [ -f "$tmp/gen/src/main/java/com/pulumi/probe/Probe.java" ] ||
    { rm -rf "$tmp"; fail pulumi-java-gen "did not generate a Java SDK"; }
  (cd "$tmp" && PATH="$BIN:$PATH" PULUMI_HOME="$tmp/home" PULUMI_SKIP_UPDATE_CHECK=true \
    "$BIN/pulumi" package gen-sdk --language java --local --out cli schema.json >/dev/null 2>&1) &&
    [ -f "$tmp/cli/java/src/main/java/com/pulumi/probe/Probe.java" ] ||
    { rm -rf "$tmp"; fail pulumi-language-java "'pulumi package gen-sdk --language java' did not generate a Java SDK"; }
  rm -rf "$tmp"
  check pulumi-language-java "pulumi-java $JAVA_VERSION (pkg/v3 $(dep_version "$BIN/pulumi-language-java" github.com/pulumi/pulumi/pkg/v3); generates)"
  check pulumi-java-gen "pulumi-java $JAVA_VERSION (generates)"
fi
if [ "$want_python" = 1 ]; then
  v="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pulumi"))' 2>/dev/null)" ||
    fail python-venv "the pulumi package does not import"
  [ "$v" = "${PULUMI_VERSION#v}" ] || fail python-venv "pulumi $v, expected ${PULUMI_VERSION#v}"
  check python-venv "pulumi $v ($VENV)"
fi

if [ "${#built[@]}" -eq 0 ]; then log "nothing to build (cached in $CACHE)"; else log "built: ${built[*]}"; fi
for line in "${summary[@]}"; do log "$line"; done
if [ "$print_path" = 1 ]; then
  echo "$BIN" >&3
else
  echo "export PATH=\"$BIN:\$PATH\"" >&3
fi
}

main "$@"; exit
