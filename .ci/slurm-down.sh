#!/usr/bin/env bash
# Stops the test cluster started by .ci/slurm-up.sh (same DIR), by the pids it recorded: nothing else is touched.
set -uo pipefail
DIR="${1:-${CONDLAB_SLURM_DIR:-/tmp/condlab-slurm}}"
for pidfile in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
  [ -s "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done
echo "slurm-down: stopped the cluster in $DIR" >&2
