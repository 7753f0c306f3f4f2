#!/usr/bin/env bash
# N `streamlit run app.py` replicas on loopback behind HAProxy (deploy/haproxy.cfg), in the foreground.
#   STREAMLIT_SERVER_COOKIE_SECRET=<secret> deploy/run-replicas.sh [N]    (N defaults to 2)
# Environment: AUGNORM_LISTEN (default 0.0.0.0:8080), AUGNORM_REPLICA_PORTS (default 8501 ... 8500+N),
# PYTHON (default python). Ctrl-C or SIGTERM stops everything. A replica that dies stays down (HAProxy
# sends its students to the others); restarting replicas is the supervisor's job (systemd, Kubernetes).
set -euo pipefail
cd "$(dirname "$0")/.."

# Every replica must sign cookies with the same secret; Streamlit reads it from this variable.
: "${STREAMLIT_SERVER_COOKIE_SECRET:?set it to one secret shared by all replicas, e.g. \$(openssl rand -hex 32)}"
export STREAMLIT_SERVER_COOKIE_SECRET
replicas=${1:-2}
export AUGNORM_LISTEN=${AUGNORM_LISTEN:-0.0.0.0:8080}
ports=(${AUGNORM_REPLICA_PORTS:-$(seq 8501 $((8500 + replicas)))})
config=$(mktemp --suffix=.cfg)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; rm -f "$config"' EXIT
trap 'exit 143' INT TERM

cp deploy/haproxy.cfg "$config"
for i in $(seq 1 "$replicas"); do
    port=${ports[$((i - 1))]}
    "${PYTHON:-python}" -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 \
        --server.headless true &
    pids+=($!)
    echo "replica$i pid $! port $port"
    echo "    server replica$i 127.0.0.1:$port cookie replica$i" >>"$config"
done
haproxy -c -q -f "$config"
haproxy -db -f "$config" &
pids+=($!)
echo "haproxy pid $! listening on $AUGNORM_LISTEN"
wait "$!"
