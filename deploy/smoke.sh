#!/usr/bin/env bash
# Build the Dibs image and prove it: the container, against a fresh PostgreSQL database and a fake Slack,
# answers /healthz (and /readyz), takes a signed `/dibs watch` and a signed keyword post, and asks its
# question in the post's thread. Prints PASS and the times; cleans up after itself, pass or fail.
#
#   deploy/smoke.sh
#
# Needs: podman (+ runc) and, unless BASE_IMAGE names a registry image, debootstrap (root);
# PostgreSQL reachable with trust auth (createdb/dropdb); the repo's .venv (the fake Slack and the
# signed requests use tests/support). Runs again safely: the base image and the build's layers are
# cached; leftovers of an earlier run that was killed are removed first.
#
# Env (all optional):
#   BASE_IMAGE     the Dockerfile's base (default localhost/debian-base:bookworm, built by deploy/base-image.sh)
#   DIBS_IMAGE     the tag to build (default localhost/dibs:smoke)
#   SMOKE_PG       PostgreSQL server URL without a database (default postgresql://postgres@127.0.0.1:5432)
#   SMOKE_BUILD_CA CA bundle pip needs during the build, behind a TLS-inspecting proxy
#                  (default /etc/ssl/certs/ca-certificates.crt if it exists; empty: none)
#   PYTHON         the Python with the test dependencies (default .venv/bin/python)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/deploy/containers.conf}"
base_image="${BASE_IMAGE:-localhost/debian-base:bookworm}"
image="${DIBS_IMAGE:-localhost/dibs:smoke}"
pg="${SMOKE_PG:-postgresql://postgres@127.0.0.1:5432}"
python="${PYTHON:-$root/.venv/bin/python}"
build_ca="${SMOKE_BUILD_CA-/etc/ssl/certs/ca-certificates.crt}"

# postgresql://user@host:port
pg_rest="${pg#*://}"
pg_user="${pg_rest%%@*}"
pg_hostport="${pg_rest#*@}"
pg_hostport="${pg_hostport%%/*}"
pg_host="${pg_hostport%%:*}"
pg_port="${pg_hostport##*:}"
[[ "$pg_port" != "$pg_host" ]] || pg_port=5432

db="dibs_smoke_$$"
container="dibs-smoke-$$"
secret="smoke-signing-secret-$$-$RANDOM"
work="$(mktemp -d "${TMPDIR:-/tmp}/dibs-smoke.XXXXXX")"
fake_pid=""
t0=$EPOCHREALTIME

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
say() { echo "smoke: $*"; }
die() { echo "smoke: FAIL: $*" >&2; exit 1; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $rc -ne 0 ]] && podman container exists "$container" 2>/dev/null; then
        echo "---- the container's last lines:" >&2
        podman logs --tail 40 "$container" >&2 2>&1 || true
    fi
    if [[ $rc -ne 0 && -s "$work/fake.log" ]]; then
        echo "---- the fake Slack's output:" >&2
        tail -20 "$work/fake.log" >&2 || true
    fi
    podman rm --force --time 10 "$container" >/dev/null 2>&1 || true
    dropdb --if-exists --force -h "$pg_host" -p "$pg_port" -U "$pg_user" "$db" >/dev/null 2>&1 || true
    if [[ -n "$fake_pid" ]]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in podman curl createdb dropdb; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
[[ -x "$python" ]] || die "$python is missing (python -m venv .venv && .venv/bin/pip install -e '.[test]')"

# Leftovers of runs that were killed before their trap ran (their pid is gone): containers and databases.
for old in $(podman ps --all --filter label=dibs.smoke.pid --format '{{.Labels}}' 2>/dev/null \
        | grep -o 'dibs.smoke.pid:[0-9]*' | cut -d: -f2 | sort -u); do
    kill -0 "$old" 2>/dev/null || podman rm --force --time 0 "dibs-smoke-$old" >/dev/null 2>&1 || true
done
for old in $(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -Atc \
        "SELECT datname FROM pg_database WHERE datname ~ '^dibs_smoke_[0-9]+$'" 2>/dev/null); do
    kill -0 "${old#dibs_smoke_}" 2>/dev/null || dropdb --if-exists --force -h "$pg_host" -p "$pg_port" -U "$pg_user" "$old" || true
done

# 1. The base image (cached in podman's store), then the Dibs image (cached layers: seconds when nothing changed).
t=$(now)
if [[ "$base_image" == localhost/* ]]; then
    BASE_IMAGE="$base_image" "$root/deploy/base-image.sh"
fi
base_time=$(since "$t")
t=$(now)
build_args=(--format docker --network=host --build-arg "BASE_IMAGE=$base_image" --tag "$image")
if [[ -n "$build_ca" && -r "$build_ca" ]]; then
    build_args+=(--volume "$build_ca:/run/build-ca.crt:ro" --build-arg BUILD_CA_CERT=/run/build-ca.crt)
fi
podman build "${build_args[@]}" "$root" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; die "podman build failed"; }
build_time=$(since "$t")
say "image $image built in $build_time ($(podman image inspect "$image" --format '{{.Size}}' | awk '{printf "%d MB", $1/1e6}'))"

# 2. The fake Slack on the host, and a fresh database.
PYTHONPATH="$root" "$python" "$root/deploy/fake_slack.py" --url-file "$work/fake.url" >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do
    [[ -s "$work/fake.url" ]] && break
    kill -0 "$fake_pid" 2>/dev/null || die "the fake Slack did not start"
    sleep 0.1
done
[[ -s "$work/fake.url" ]] || die "the fake Slack did not start in 10s"
fake_url="$(cat "$work/fake.url")"
createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$db"
database_url="postgresql://$pg_user@$pg_host:$pg_port/$db"
say "fake Slack at $fake_url, database $db"

# 3. The container, on the host's network (the fake Slack and PostgreSQL listen on 127.0.0.1): as shipped
#    (its CMD and HEALTHCHECK, port 3000) when 3000 is free, else on a free port with both adjusted.
free_port='import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("0.0.0.0", int(sys.argv[1]))); print(s.getsockname()[1])
except OSError: s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
port="$("$python" -c "$free_port" "${SMOKE_PORT:-3000}")"
adjusted=()
if [[ "$port" != 3000 ]]; then
    health="import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=4).status != 200)"
    adjusted=(--health-cmd "[\"python3\", \"-c\", \"$health\"]")
fi
t=$(now)
podman run --detach --name "$container" --label "dibs.smoke.pid=$$" --network=host \
    --env SLACK_BOT_TOKEN=xoxb-smoke \
    --env SLACK_SIGNING_SECRET="$secret" \
    --env SLACK_API_URL="$fake_url" \
    --env DATABASE_URL="$database_url" \
    "${adjusted[@]}" --health-interval disable \
    "$image" ${adjusted[@]:+dibs serve --http --host 127.0.0.1 --port "$port"} >/dev/null 2>"$work/run.err" \
    || { cat "$work/run.err" >&2; die "podman run failed"; }
if [[ "$port" == 3000 ]]; then
    say "container started as shipped: its CMD and HEALTHCHECK, port 3000"
else
    say "port 3000 is taken: container on port $port, its command and health check adjusted to match"
fi
bot="http://127.0.0.1:$port"
for _ in $(seq 600); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$bot/healthz" || true)"
    [[ "$code" == 200 ]] && break
    [[ "$(podman container inspect --format '{{.State.Running}}' "$container")" == true ]] \
        || die "the container exited ($(podman container inspect --format '{{.State.ExitCode}}' "$container"))"
    sleep 0.1
done
[[ "$code" == 200 ]] || die "/healthz did not answer 200 in 60s (last: $code)"
healthy_time=$(since "$t")
say "/healthz 200 after $healthy_time (container start, migrations, Slack's auth.test)"
podman healthcheck run "$container" >/dev/null 2>&1 || die "the image's health check failed"
say "podman healthcheck: healthy"

code="$(curl -s -o /dev/null -w '%{http_code}' "$bot/readyz" || true)"
if [[ "$code" == 404 ]]; then
    say "/readyz 404: this version has no readiness endpoint yet; going on"
else
    for _ in $(seq 100); do
        [[ "$code" == 200 ]] && break
        sleep 0.1
        code="$(curl -s -o /dev/null -w '%{http_code}' "$bot/readyz" || true)"
    done
    [[ "$code" == 200 ]] || die "/readyz answered $code, not 200, for 10s"
    say "/readyz 200"
fi

# 4. Slack's requests, signed with the signing secret, and Dibs's question in the post's thread.
t=$(now)
PYTHONPATH="$root" "$python" "$root/deploy/smoke_client.py" --bot "$bot" --fake "$fake_url" --secret "$secret" \
    || die "no question in the post's thread"
flow_time=$(since "$t")

say "PASS in $(since "$t0") (base image $base_time, image build $build_time, start to healthy $healthy_time, watch + post to question $flow_time)"
