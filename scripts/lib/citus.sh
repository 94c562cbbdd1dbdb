# Sourced by scripts/with-citus (after deps.sh): makes sure the Citus extension
# (12.1.12, the last line that supports PostgreSQL 15) is installed into the
# server's directories, building it from the vendored source once per machine.
#
# Citus is not in the package registries here. Its source is the tarball of
# ../shared/vendor (or MFA_CITUS_TARBALL), checked against its SHA-256. The build
# tree is cached outside the clone (MFA_CACHE_DIR, default /var/cache/mfa-batch as
# root, else ~/.cache/mfa-batch), so that:
#   - citus.so already installed: nothing to do (seconds);
#   - installed files gone (a server package reinstalled) but the cache is there:
#     `make install` only;
#   - a fresh machine: apt build dependencies, configure, make (about 1.5 minutes
#     on 2 idle cores), make install.
# Must run before any cluster starts: postgresql-server-dev-15 is installed at the
# version of the installed server, so apt never upgrades a server under a running
# cluster (the registry's newest -dev would pull the newest server along).

MFA_CITUS_VERSION=12.1.12
MFA_CITUS_SHA256=a344da15513601e718a268d907e1c86e43a69eb243398b929f65a4580723f552

mfa_citus_tarball() {
    local root candidate
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    for candidate in "${MFA_CITUS_TARBALL:-}" "$root/../shared/vendor/citus-$MFA_CITUS_VERSION.tar.gz" \
        "/work/shared/vendor/citus-$MFA_CITUS_VERSION.tar.gz"; do
        if [ -n "$candidate" ] && [ -f "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "citus-$MFA_CITUS_VERSION.tar.gz not found (looked in ../shared/vendor and /work/shared/vendor; set MFA_CITUS_TARBALL)" >&2
    return 1
}

mfa_citus_installed() {
    local lib share
    lib=$("$MFA_PG_BIN/pg_config" --pkglibdir)
    share=$("$MFA_PG_BIN/pg_config" --sharedir)
    [ -f "$lib/citus.so" ] && grep -q "default_version = '12.1-1'" "$share/extension/citus.control" 2>/dev/null
}

mfa_ensure_citus() {
    if mfa_citus_installed; then
        return 0
    fi
    local sudo="" cache major server_version tarball build
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ -n "${MFA_CACHE_DIR:-}" ]; then
        cache=$MFA_CACHE_DIR
    elif [ "$(id -u)" -eq 0 ]; then
        cache=/var/cache/mfa-batch
    else
        cache=${XDG_CACHE_HOME:-$HOME/.cache}/mfa-batch
    fi
    build="$cache/citus-$MFA_CITUS_VERSION"
    major=$(basename "$(dirname "$MFA_PG_BIN")")

    # Build dependencies: the server's headers at exactly the installed server's
    # version (never an upgrade of the server), compression and GSSAPI headers.
    local missing=()
    [ -f "/usr/include/postgresql/$major/server/postgres.h" ] || missing+=(server-dev)
    pkg-config --exists liblz4 || missing+=(liblz4-dev)
    pkg-config --exists libzstd || missing+=(libzstd-dev)
    pkg-config --exists krb5-gssapi || missing+=(libkrb5-dev)
    command -v make >/dev/null || missing+=(make)
    command -v gcc >/dev/null || missing+=(gcc)
    if [ ${#missing[@]} -gt 0 ]; then
        local packages=() name
        for name in "${missing[@]}"; do
            if [ "$name" = server-dev ]; then
                server_version=$(dpkg-query -W -f='${Version}' "postgresql-$major" 2>/dev/null || true)
                if [ -n "$server_version" ] && apt-cache madison "postgresql-server-dev-$major" | grep -qF " $server_version "; then
                    packages+=("postgresql-server-dev-$major=$server_version")
                else
                    echo "with-citus: postgresql-server-dev-$major $server_version is not in the registry; installing the newest (this may upgrade the server package)" >&2
                    packages+=("postgresql-server-dev-$major")
                fi
            else
                packages+=("$name")
            fi
        done
        echo "with-citus: installing ${packages[*]}" >&2
        $sudo apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
    fi

    if [ ! -f "$build/.mfa-built" ]; then
        tarball=$(mfa_citus_tarball)
        if ! echo "$MFA_CITUS_SHA256  $tarball" | sha256sum -c --quiet - >&2; then
            echo "with-citus: $tarball does not have the expected SHA-256" >&2
            return 1
        fi
        echo "with-citus: building Citus $MFA_CITUS_VERSION in $build (once per machine; about 1.5 minutes on 2 cores)" >&2
        $sudo mkdir -p "$cache"
        $sudo rm -rf "$build"
        $sudo tar xzf "$tarball" -C "$cache"
        (
            cd "$build"
            $sudo ./configure --without-libcurl PG_CONFIG="$MFA_PG_BIN/pg_config" >"$build.configure.log" 2>&1 \
                || { tail -n 30 "$build.configure.log" >&2; exit 1; }
            $sudo make -j"$(nproc)" >"$build.make.log" 2>&1 || { tail -n 30 "$build.make.log" >&2; exit 1; }
            $sudo touch .mfa-built
        ) || return 1
    fi
    echo "with-citus: installing Citus $MFA_CITUS_VERSION from $build" >&2
    (cd "$build" && $sudo make install >"$build.install.log" 2>&1) || { tail -n 30 "$build.install.log" >&2; return 1; }
    mfa_citus_installed || { echo "with-citus: citus.so is still not installed" >&2; return 1; }
}
