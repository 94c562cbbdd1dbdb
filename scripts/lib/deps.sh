# Sourced by the scripts: makes sure the system packages the project needs are
# installed (PostgreSQL server and client library, OpenSSL headers, pkg-config),
# installing them with apt when they are missing. Also finds the server binaries.

mfa_ensure_deps() {
    local missing=()
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    if command -v pkg-config >/dev/null; then
        pkg-config --exists libpq || missing+=(libpq-dev)
        pkg-config --exists libcrypto || missing+=(libssl-dev)
    else
        missing+=(libpq-dev libssl-dev)
    fi
    command -v psql >/dev/null || missing+=(postgresql-client)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2
    fi
    MFA_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    export MFA_PG_BIN
}

# Runs a PostgreSQL server binary as the postgres OS user when we are root (the
# server refuses to run as root), as ourselves otherwise.
mfa_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

mfa_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

# Builds the release binary, showing only errors and warnings (a failed build stops
# a `set -e -o pipefail` script), and sets MFA_BIN to its path.
mfa_build_release() {
    swift build -c release --product mfa-batch 2>&1 | { grep -E 'error|warning:' || true; }
    MFA_BIN="$(swift build -c release --show-bin-path)/mfa-batch"
    export MFA_BIN
}

# Prints a TCP port on 127.0.0.1 that nothing listens on now (random, 20000-49999).
# Another process may still take it before we bind: callers retry on failure.
mfa_free_port() {
    local port tries
    for ((tries = 0; tries < 100; tries++)); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port found on 127.0.0.1" >&2
    return 1
}

# Runs COMMAND… in the background with stdin passed through, waits for it while
# forwarding SIGINT/SIGTERM (bash defers traps while a foreground child runs), and
# returns its status. The caller's EXIT trap does the cleaning up.
mfa_run_child() {
    "$@" <&0 &
    MFA_CHILD=$!
    trap 'kill -INT "$MFA_CHILD" 2>/dev/null || true' INT
    trap 'kill -TERM "$MFA_CHILD" 2>/dev/null || true' TERM
    local status
    set +e
    while true; do
        wait "$MFA_CHILD"
        status=$?
        kill -0 "$MFA_CHILD" 2>/dev/null || break
    done
    set -e
    MFA_CHILD=""
    return "$status"
}
