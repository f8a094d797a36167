#!/usr/bin/env bash
# Multi-cluster benchmark of issue 4, side by side in one run:
#
#  1. `kubegenie get pods -A --all-clusters` over CLUSTERS simulated clusters x PODS pods,
#     against kubectl run once per context sequentially and 8 at a time (xargs -P8);
#     every variant's rows are counted, so an incomplete answer shows.
#  2. ClusterProfile discovery + health of PROFILES clusters on a hub.
#
# Usage: bench/multicluster.sh [CLUSTERS] [PODS] [PROFILES]   (defaults 50 1000 100)
# Needs: a release build (cargo build --release -p kubegenie), kubectl on PATH.
# KUBEGENIE=path overrides the binary; RUNS=n repeats each measurement (best is reported);
# FLEET_KUBECONFIG=file reuses a running `kubegenie sim --scenario scale:CLUSTERS:PODS` fleet
# (starting 50,000 simulated pods takes minutes); PROFILES=0 skips the discovery part.
set -euo pipefail

CLUSTERS=${1:-50}
PODS=${2:-1000}
PROFILES=${3:-100}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KUBEGENIE:-${CARGO_TARGET_DIR:-$ROOT/target}/release/kubegenie}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release -p kubegenie" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "kubectl is not on PATH" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  # The simulator's clean shutdown of a large fleet is slow; nothing needs it here.
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

now() { date +%s.%N; }
# best TIME and its row count over RUNS runs of a command printing rows on stdout
measure() {
  local best="" rows=0 t0 t1 n
  for _ in $(seq "$RUNS"); do
    t0=$(now)
    n=$("$@" | wc -l)
    t1=$(now)
    local dt
    dt=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$dt < $best" | bc -l)" = 1 ]; then best=$dt; fi
    rows=$n
  done
  printf '%.3f %s\n' "$best" "$rows"
}

# Starts a scale fleet writing its contexts to $1; waits until every context answers with
# the expected number of pods.
start_fleet() {
  local kc=$1 clusters=$2 pods=$3 home=$4
  KUBEGENIE_HOME=$home RUST_LOG=warn "$BIN" sim --scenario "scale:$clusters:$pods" --kubeconfig "$kc" \
    >"$WORK/sim-$clusters.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do
    if [ -s "$kc" ] && [ "$(kubectl --kubeconfig "$kc" config get-contexts -o name 2>/dev/null | wc -l)" -ge "$clusters" ]; then
      break
    fi
    sleep 0.5
  done
  local last
  last=$(kubectl --kubeconfig "$kc" config get-contexts -o name | tail -1)
  for _ in $(seq 600); do
    [ "$(kubectl --kubeconfig "$kc" --context "$last" get pods -A --no-headers 2>/dev/null | wc -l)" -ge "$pods" ] && return 0
    sleep 0.5
  done
  echo "fleet did not come up; see $WORK/sim-$clusters.log" >&2
  return 1
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores; load before: $(uptime | sed 's/.*load average: //')"
echo "kubegenie: $BIN"
echo "kubectl: $(kubectl version --client 2>/dev/null | head -1)"

# 1. get pods over the fleet.
export KUBEGENIE_HOME=$WORK/home
if [ -n "${FLEET_KUBECONFIG:-}" ]; then
  KC=$FLEET_KUBECONFIG
else
  KC=$WORK/fleet.kubeconfig
  start_fleet "$KC" "$CLUSTERS" "$PODS" "$WORK/sim-home"
fi
mapfile -t CTXS < <(kubectl --kubeconfig "$KC" config get-contexts -o name)
"$BIN" cluster add --kubeconfig "$KC" --all-contexts >/dev/null
EXPECTED=$((CLUSTERS * PODS))
echo "fleet: ${#CTXS[@]} clusters, $EXPECTED pods expected"

kg_get() { "$BIN" get pods -A --all-clusters --no-headers --timeout 60s; }
# A failed kubectl call is not fatal: its missing rows show in the count.
kubectl_seq() {
  for c in "${CTXS[@]}"; do kubectl --kubeconfig "$KC" --context "$c" get pods -A --no-headers || true; done
}
kubectl_par() {
  printf '%s\n' "${CTXS[@]}" \
    | xargs -P8 -I{} sh -c 'kubectl --kubeconfig "$0" --context "$1" get pods -A --no-headers || true' "$KC" {}
}
kg_get >/dev/null # warm the page cache and the simulator
read -r T_KG ROWS_KG < <(measure kg_get)
read -r T_SEQ ROWS_SEQ < <(measure kubectl_seq)
read -r T_PAR ROWS_PAR < <(measure kubectl_par)
echo "load during: $(uptime | sed 's/.*load average: //')"
printf '%-40s %10s %10s\n' "variant" "seconds" "rows"
printf '%-40s %10s %10s\n' "kubegenie get pods -A --all-clusters" "$T_KG" "$ROWS_KG"
printf '%-40s %10s %10s\n' "kubectl sequential" "$T_SEQ" "$ROWS_SEQ"
printf '%-40s %10s %10s\n' "kubectl xargs -P8" "$T_PAR" "$ROWS_PAR"
printf 'speed-up vs sequential kubectl: %.1fx\n' "$(echo "$T_SEQ / $T_KG" | bc -l)"
printf 'speed-up vs kubectl -P8:        %.1fx\n' "$(echo "$T_PAR / $T_KG" | bc -l)"
for v in "$ROWS_KG" "$ROWS_SEQ" "$ROWS_PAR"; do
  [ "$v" -eq "$EXPECTED" ] || echo "WARNING: $v rows, expected $EXPECTED" >&2
done
if [ ${#PIDS[@]} -gt 0 ]; then kill -9 "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true; PIDS=(); fi
[ "$PROFILES" -gt 0 ] || exit 0

# 2. ClusterProfile discovery + health: a hub publishing one profile per cluster, each
# mapped to the kubeconfig context of the same name.
PKC=$WORK/profiles.kubeconfig
start_fleet "$PKC" "$PROFILES" 10 "$WORK/sim-home2"
mapfile -t PCTXS < <(kubectl --kubeconfig "$PKC" config get-contexts -o name)
HUB=${PCTXS[0]}
kubectl --kubeconfig "$PKC" --context "$HUB" apply -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clusterprofiles.multicluster.x-k8s.io}
spec:
  group: multicluster.x-k8s.io
  scope: Namespaced
  names: {kind: ClusterProfile, plural: clusterprofiles, singular: clusterprofile}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
YAML
sleep 1
for c in "${PCTXS[@]}"; do
  printf -- '---\napiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ClusterProfile\nmetadata: {name: %s, namespace: default, labels: {x-k8s.io/cluster-manager: bench}}\nspec: {clusterManager: {name: bench}}\n' "$c"
done | kubectl --kubeconfig "$PKC" --context "$HUB" apply -f - >/dev/null
discover_health() {
  local home=$WORK/discover-$RANDOM
  KUBEGENIE_HOME=$home "$BIN" cluster discover --hub "$HUB" --kubeconfig "$PKC" -o json >/dev/null
  KUBEGENIE_HOME=$home "$BIN" cluster health --all-clusters -o json \
    | grep '"healthy": true'
}
read -r T_DH HEALTHY < <(measure discover_health)
echo "load during: $(uptime | sed 's/.*load average: //')"
printf 'discovery + health of %s ClusterProfiles: %s s, %s healthy\n' "${#PCTXS[@]}" "$T_DH" "$HEALTHY"
