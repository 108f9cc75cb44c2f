#!/usr/bin/env bash
# Starts dockerd unless one already answers on the socket; waits until /_ping answers.
# Leaves a running daemon alone. Log: /var/log/gsc-dockerd.log.
set -euo pipefail

sock=/var/run/docker.sock
ping() { curl -fsS --max-time 5 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }

if ping; then
  echo "start-dockerd: dockerd already answers on $sock"
  exit 0
fi
if ! command -v dockerd >/dev/null; then
  echo "start-dockerd: dockerd is not installed. Run scripts/install-deps.sh first." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "start-dockerd: no daemon answers on $sock and starting one needs root." >&2
  exit 1
fi
# A daemon that died leaves its pid file and socket behind; dockerd refuses to start over them.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid "$sock"
fi
nohup dockerd >>/var/log/gsc-dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 120); do
  if ping; then
    echo "start-dockerd: dockerd started (log: /var/log/gsc-dockerd.log)"
    exit 0
  fi
  sleep 0.5
done
echo "start-dockerd: dockerd did not answer within 60 s; see /var/log/gsc-dockerd.log:" >&2
tail -n 20 /var/log/gsc-dockerd.log >&2
exit 1
