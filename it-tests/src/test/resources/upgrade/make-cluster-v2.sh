#!/usr/bin/env bash
# Writes cluster-v2.tar.gz beside this script: the data directories (Raft log, snapshot if any,
# membership record, events.jsonl) of a three-node cluster run by a protocol-2 build, for UpgradeIT.
# It builds COMMIT (default 4605284, the last protocol-2 build) in a temporary git worktree, starts
# server1, server2 and the witness on 127.0.61.11-13 with the cluster file UpgradeIT's LocalCluster
# writes (name it-127-0-61, no TLS), waits for group web online on server1, moves it to server2 and
# back (some history: epoch 3), and SIGKILLs all three, so the files are as a crash left them.
# Run as: it-tests/src/test/resources/upgrade/make-cluster-v2.sh [COMMIT]. Never with a newer build:
# the fixture is what an older build wrote.
set -euo pipefail
commit="${1:-4605284}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/cluster-v2.tar.gz"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  git -C "$here" worktree remove --force "$work/src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git -C "$here" worktree add --detach "$work/src" "$commit" >/dev/null
(cd "$work/src" && mvn -B -q -o -DskipTests -pl node -am package)
run="$work/run"
mkdir -p "$run/app"
printf '#!/bin/sh\ntouch %s/app/$BATON_NODE.running\n' "$run" > "$run/app-start.sh"
printf '#!/bin/sh\nrm -f %s/app/$BATON_NODE.running\n' "$run" > "$run/app-stop.sh"
chmod +x "$run/app-start.sh" "$run/app-stop.sh"
cat > "$run/cluster.yaml" <<YAML
cluster:
  name: it-127-0-61
  heartbeat_interval: 250ms
  lease: 3000ms
  insecure: true
nodes:
  - {id: server1, role: data, zone: zone-server1, raft: 127.0.61.11:7400, admin: 127.0.61.11:7401, http: 127.0.61.11:7403}
  - {id: server2, role: data, zone: zone-server2, raft: 127.0.61.12:7400, admin: 127.0.61.12:7401, http: 127.0.61.12:7403}
  - {id: witness, role: witness, zone: zone-witness, raft: 127.0.61.13:7400, admin: 127.0.61.13:7401, http: 127.0.61.13:7403}
groups:
  - name: web
    nodes: [server1, server2]
    resources:
      - {type: exec, name: app, start: $run/app-start.sh, stop: $run/app-stop.sh, timeout: 10s}
      - {type: probe_port, name: nlb-probe, port: 12345}
YAML
for n in server1 server2 witness; do
  "$work/src/bin/baton-node" --config "$run/cluster.yaml" --node "$n" --data-dir "$run/data/$n" > "$run/$n.log" 2>&1 &
  pids+=($!)
done
ctl() { "$work/src/bin/batonctl" --endpoint 127.0.61.13:7401,127.0.61.11:7401 "$@"; }
for _ in $(seq 1 120); do
  if ctl status -o json 2>/dev/null | grep -q '"phase": *"PHASE_ONLINE"'; then break; fi
  sleep 0.5
done
ctl status
ctl move web --to server2 --wait
ctl move web --to server1 --wait
ctl status
sleep 2
for p in "${pids[@]}"; do kill -9 "$p"; done
wait 2>/dev/null || true
pids=()
tar -C "$run/data" -czf "$out" .
echo "wrote $out ($(du -h "$out" | cut -f1))"
