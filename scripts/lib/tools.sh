# shellcheck shell=bash
# Installs the tools the build and the tests need, each only when missing.
# Sourced by scripts/run and scripts/test. Versions are pinned; see ../shared/TOOLCHAIN.md.

WASM_BINDGEN_VERSION=0.2.130
CARGO_LEPTOS_VERSION=0.3.11
BINARYEN_VERSION=132.0.0

NCRE_CACHE="${NCRE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ncre}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$NCRE_CACHE/target}"
TOOLS_PREFIX="$NCRE_CACHE/tools"
export PATH="$HOME/.cargo/bin:$TOOLS_PREFIX/node_modules/.bin:$PATH"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt: installing ${missing[*]}"
  if [ "$apt_updated" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_wasm_target() {
  rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || {
    log "rustup: adding wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  }
}

ensure_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then return 0; fi
  log "cargo: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (~6 min once)"
  # No --locked: the CLI's own lock file names a yanked crate.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
}

ensure_cargo_leptos() {
  if cargo-leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return 0; fi
  log "cargo: installing cargo-leptos $CARGO_LEPTOS_VERSION (~27 min once)"
  # `--locked` fails (a locked dependency needs a newer rustc) and an unlocked install
  # resolves too-new crates; build the published source with one dependency pinned back.
  cargo info "cargo-leptos@$CARGO_LEPTOS_VERSION" >/dev/null
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n1)
  local tmp
  tmp=$(mktemp -d)
  cp -r "$src"/. "$tmp"/
  (cd "$tmp" && cargo update -p cargo-util-schemas --precise 0.14.1 && cargo install --path . --locked --force)
  rm -rf "$tmp"
}

ensure_wasm_opt() {
  if [ -x "$TOOLS_PREFIX/node_modules/.bin/wasm-opt" ]; then return 0; fi
  log "npm: installing binaryen $BINARYEN_VERSION (wasm-opt)"
  mkdir -p "$TOOLS_PREFIX"
  # Debian's binaryen (wasm-opt 108) produces a module that never hydrates; use npm's.
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_PREFIX" "binaryen@$BINARYEN_VERSION" >/dev/null
}

ensure_build_tools() {
  apt_install brotli
  ensure_wasm_target
  ensure_wasm_opt
  ensure_wasm_bindgen
  ensure_cargo_leptos
}

ensure_browser() {
  apt_install chromium chromium-driver
}

# The PDF tickets' fonts (Noto Sans CJK, read by the server) and poppler's pdftotext and
# pdfimages (the tests read the PDFs back with them).
ensure_pdf_tools() {
  apt_install fonts-noto-cjk poppler-utils
}

# Debian's nginx, the reverse proxy in front of the two servers of the several-servers test
# (server/tests/integration/cluster.rs, run on PostgreSQL). The package starts no daemon here;
# the test runs its own on a free loopback port and stops it.
ensure_proxy() {
  apt_install nginx-light
}

# start_proxy DIR PORT UPSTREAM...: nginx on 127.0.0.1:PORT spreading requests over the
# upstreams (host:port) in turn, never retrying one on another server; its files under DIR.
# Sets proxy_pid. The same configuration as the several-servers test (cluster.rs).
start_proxy() {
  local dir=$1 port=$2 up=""
  shift 2
  for u in "$@"; do up="$up    server $u;\n"; done
  mkdir -p "$dir"
  printf 'worker_processes 1;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path %s/body; proxy_temp_path %s/proxy;\n  fastcgi_temp_path %s/fastcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n  upstream site {\n%b    keepalive 64;\n  }\n  server {\n    listen 127.0.0.1:%s;\n    client_max_body_size 8m;\n    location / {\n      proxy_pass http://site;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      proxy_set_header Host $http_host;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n      proxy_next_upstream off;\n    }\n  }\n}\n' \
    "$dir" "$dir" "$dir" "$dir" "$dir" "$dir" "$dir" "$up" "$port" >"$dir/nginx.conf"
  /usr/sbin/nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off; master_process off;' &
  proxy_pid=$!
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0; sleep 0.05; done
  log "nginx did not answer on 127.0.0.1:$port; see $dir/error.log"
  return 1
}

# pg_restore_drill PORT: the PostgreSQL backup and restore of docs/OPERATIONS.md, once, on
# the throw-away cluster at 127.0.0.1:PORT, with the debug build of `server` and
# `pay-sandbox` (from the test stage): a database with the demo and 300 candidates with
# registrations, dumped with pg_dump -Fc while a server serves it, restored with pg_restore
# into an empty database; then every table's row count and a digest of the passes and
# registrations must match, and a server started on the copy must say ready.
pg_restore_drill() {
  local port=$1 bin server_bin="$CARGO_TARGET_DIR/debug/server" sandbox_bin="$CARGO_TARGET_DIR/debug/pay-sandbox"
  local dir pid site ok=1
  bin=$(postgres_bin)
  dir=$(mktemp -d)
  chmod 755 "$dir"
  q() { as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }
  q -c "CREATE DATABASE ncre_drill" -c "CREATE DATABASE ncre_drill_copy" || { echo "restore drill: no databases"; return 1; }
  (
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/ncre_drill" APP_DATA_KEY
    APP_DATA_KEY=$(random_key)
    fail() { echo "restore drill: $*"; tail -n 20 "$dir/serve.log" 2>/dev/null; exit 1; }
    "$sandbox_bin" keygen "$dir/pay" >/dev/null || fail "no payment keys"
    export PAY_MERCHANT_KEY_FILE="$dir/pay/merchant.key" PAY_PLATFORM_PUBLIC_KEY_FILE="$dir/pay/platform.pub"
    export LEPTOS_SITE_ROOT="$dir/site" LEPTOS_OUTPUT_NAME=ncre RUST_LOG=warn
    { "$server_bin" migrate && "$server_bin" seed-demo; } >"$dir/serve.log" 2>&1 || fail "migrate or seed failed"
    SEED_PASSWORD="drill-$(random_key | cut -c1-8)" "$server_bin" seed-candidates 300 --registrations \
      >>"$dir/serve.log" 2>&1 || fail "seeding candidates failed"
    # The dump is taken while a server serves the database (pg_dump reads one snapshot).
    site="127.0.0.1:$(free_port)"
    LEPTOS_SITE_ADDR="$site" "$server_bin" serve >>"$dir/serve.log" 2>&1 &
    pid=$!
    as_postgres "$bin/pg_dump" -h 127.0.0.1 -p "$port" -U postgres -Fc ncre_drill >"$dir/ncre.dump" || fail "pg_dump failed"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    as_postgres "$bin/pg_restore" -h 127.0.0.1 -p "$port" -U postgres --no-owner -d ncre_drill_copy <"$dir/ncre.dump" \
      || fail "pg_restore failed"
    tables=$(q -d ncre_drill -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1") || fail "no tables"
    [ "$(echo "$tables" | wc -w)" -ge 10 ] || fail "only $(echo "$tables" | wc -w) tables"
    # The same rows, table by table.
    for t in $tables; do
      a=$(q -d ncre_drill -c "SELECT count(*) FROM \"$t\"") || fail "cannot count $t"
      b=$(q -d ncre_drill_copy -c "SELECT count(*) FROM \"$t\"") || fail "cannot count $t in the copy"
      [ "$a" = "$b" ] || fail "$t has $a rows, its copy $b"
    done
    digest="SELECT md5(string_agg(p.id || p.email || p.doc_number || coalesce(r.id::text, '-'), ',' ORDER BY p.id)) FROM pass p LEFT JOIN registration r ON r.pass_id = p.id"
    a=$(q -d ncre_drill -c "$digest") && b=$(q -d ncre_drill_copy -c "$digest") || fail "no digest"
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "the passes differ"
    [ "$(q -d ncre_drill_copy -c "SELECT count(*) FROM registration")" -ge 300 ] || fail "registrations missing"
    # A server on the copy is ready: migrations current, database answering.
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/ncre_drill_copy"
    site="127.0.0.1:$(free_port)"
    LEPTOS_SITE_ADDR="$site" "$server_bin" serve >>"$dir/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
      [ "$(curl -s "http://$site/readyz")" = "ready" ] && { kill "$pid"; wait "$pid" 2>/dev/null; echo "restore drill: copy restored, rows equal, server ready"; exit 0; }
      sleep 0.1
    done
    kill "$pid" 2>/dev/null
    fail "the server on the copy was not ready"
  ) || ok=0
  q -c "DROP DATABASE IF EXISTS ncre_drill" -c "DROP DATABASE IF EXISTS ncre_drill_copy" || true
  rm -rf "$dir"
  [ "$ok" -eq 1 ]
}

# Debian's PostgreSQL server binaries (initdb, pg_ctl), for the database suite.
ensure_postgres() {
  apt_install postgresql
}

# The newest installed PostgreSQL's bin directory.
postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# Runs a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DIR PORT [durable]: a throw-away cluster in DIR on 127.0.0.1:PORT, trust
# auth. Without "durable", fsync is off (the cluster lives for one test run); benchmarks
# ask for "durable" and get PostgreSQL's default fsync and synchronous_commit.
start_postgres() {
  local dir=$1 port=$2 durable=${3:-} bin fsync="-c fsync=off"
  [ "$durable" = durable ] && fsync=""
  bin=$(postgres_bin)
  [ -n "$bin" ] || { log "postgres: no server binaries under /usr/lib/postgresql"; return 1; }
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1
  # max_connections covers the contention tests.
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $fsync -c max_connections=400" start >/dev/null
}

stop_postgres() {
  local dir=$1 bin
  bin=$(postgres_bin)
  [ -n "$bin" ] && [ -d "$dir/data" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

ensure_playwright() {
  if [ -x end2end/node_modules/.bin/playwright ] && [ end2end/node_modules/.package-lock.json -nt end2end/package-lock.json ]; then
    return 0
  fi
  log "npm: installing Playwright (without its browser download; Debian's chromium is used)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund >/dev/null)
}

# 64 hex characters of fresh randomness (a data key).
random_key() {
  python3 -c 'import secrets; print(secrets.token_hex(32))'
}

# Environment the release server binary needs when run without cargo-leptos.
leptos_runtime_env() {
  export LEPTOS_OUTPUT_NAME=ncre
  export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
  export LEPTOS_SITE_PKG_DIR=pkg
  export LEPTOS_ENV=PROD
  export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
}

# The WASM bundles, one per group of pages (frontend's features; app/build.rs): each holds
# only the islands of its pages, so a page downloads only its own forms' code. Built after
# `cargo leptos build --release`, beside its all-islands `ncre` bundle (the fallback), into
# the site's pkg dir, with brotli and gzip twins. Needs the tools of `ensure_build_tools`.
CLIENT_BUNDLES="signup signin pass info subjects photo pay session sites offers notices accounts"
build_bundles() {
  local site_pkg=${LEPTOS_SITE_ROOT:-target/site}/pkg front="$CARGO_TARGET_DIR/front"
  local wasm_opt="$TOOLS_PREFIX/node_modules/.bin/wasm-opt" b out
  for b in $CLIENT_BUNDLES; do
    log "bundle $b: building"
    # The environment cargo-leptos gives its own front-end build (Leptos reads these at
    # compile time): with the same values, the bundles share its compiled dependencies.
    env LEPTOS_OUTPUT_NAME=ncre LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
      LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend LEPTOS_BIN_DIR=server \
      LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=false \
      cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
      --no-default-features --features "$b" --target-dir "$front" --locked
    out=$(mktemp -d)
    wasm-bindgen --target web --out-dir "$out" --out-name "$b" --no-typescript \
      "$front/wasm32-unknown-unknown/wasm-release/frontend.wasm"
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$out/${b}_bg.wasm" -o "$site_pkg/$b.wasm"
    cp "$out/$b.js" "$site_pkg/$b.js"
    rm -rf "$out"
    for f in "$site_pkg/$b.wasm" "$site_pkg/$b.js"; do
      brotli -f -q 11 -o "$f.br" "$f"
      gzip -f -9 -k "$f"
    done
    log "bundle $b: $(stat -c %s "$site_pkg/$b.wasm") B, brotli $(stat -c %s "$site_pkg/$b.wasm.br") B"
  done
}

# The programs the release site runs as: the server (with the site's assets, by cargo-leptos),
# the page bundles, and the sandbox payment platform (its own binary, never in the server's).
build_release_site() {
  cargo leptos build --release --precompress
  build_bundles
  build_pay_sandbox
}

build_pay_sandbox() {
  cargo build --release -p pay-sandbox --locked
}

# The production binary carries none of the sandbox: no cashier page text in it (and, as a
# control that the text is what the cashier shows, all of it in the sandbox's binary).
check_no_sandbox_in_server() {
  local marker='NCRE收银台（沙箱）'
  if grep -qaF "$marker" "$CARGO_TARGET_DIR/release/server"; then
    log "the release server binary contains the sandbox's cashier"; return 1
  fi
  grep -qaF "$marker" "$CARGO_TARGET_DIR/release/pay-sandbox" || { log "control failed: marker not in pay-sandbox"; return 1; }
  log "the release server binary holds no sandbox cashier; pay-sandbox does"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_release_site DIR: the release build serving a fresh SQLite database in DIR (migrated,
# demo data seeded) on a free port, mailing over SMTP to the mail catcher and paying through
# the sandbox platform (keys made for this run, a short notification schedule), each on free
# ports of its own, all on loopback. Logs go to DIR/{server,mail-catcher,sandbox}.log.
# Exports LEPTOS_SITE_ADDR, MAIL_URL, PAY_GATEWAY_URL and the server's settings; sets
# `site_pids` for stop_release_site. Returns once all three answer.
site_pids=""
start_release_site() {
  local dir=$1 server_bin="$CARGO_TARGET_DIR/release/server" sandbox_bin="$CARGO_TARGET_DIR/release/pay-sandbox"
  local pay_port smtp_port mail_port
  leptos_runtime_env
  LEPTOS_SITE_ADDR="127.0.0.1:$(free_port)"
  smtp_port=$(free_port)
  mail_port=$(free_port)
  pay_port=$(free_port)
  export LEPTOS_SITE_ADDR SMTP_URL="smtp://127.0.0.1:$smtp_port" MAIL_URL="http://127.0.0.1:$mail_port"
  # SITE_DATABASE_URL: another database (a PostgreSQL one, for the several-servers bench).
  export DATABASE_URL="${SITE_DATABASE_URL:-sqlite://$dir/ncre.db?mode=rwc}" PHOTO_DIR="$dir/photos"
  APP_DATA_KEY=$(random_key)
  export APP_DATA_KEY
  "$server_bin" migrate >"$dir/server.log" 2>&1
  "$server_bin" seed-demo >>"$dir/server.log" 2>&1
  MAIL_CATCHER_SMTP="127.0.0.1:$smtp_port" MAIL_CATCHER_HTTP="127.0.0.1:$mail_port" \
    "$server_bin" mail-catcher >"$dir/mail-catcher.log" 2>&1 &
  site_pids="$!"
  "$sandbox_bin" keygen "$dir/pay" >"$dir/sandbox.log" 2>&1
  export PAY_GATEWAY_URL="http://127.0.0.1:$pay_port"
  export PAY_MERCHANT_KEY_FILE="$dir/pay/merchant.key" PAY_PLATFORM_PUBLIC_KEY_FILE="$dir/pay/platform.pub"
  SANDBOX_ADDR="127.0.0.1:$pay_port" SANDBOX_PLATFORM_KEY_FILE="$dir/pay/platform.key" \
    SANDBOX_MERCHANTS="NCRE65=$(cat "$dir/pay/merchant.pub")" SANDBOX_NOTIFY_SCHEDULE="0,1,2,4" \
    "$sandbox_bin" serve >>"$dir/sandbox.log" 2>&1 &
  site_pids="$site_pids $!"
  "$server_bin" serve >>"$dir/server.log" 2>&1 &
  site_pids="$site_pids $!"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://$LEPTOS_SITE_ADDR/" 2>/dev/null && curl -fsS -o /dev/null "$MAIL_URL/messages" 2>/dev/null \
      && curl -sS -o /dev/null "$PAY_GATEWAY_URL/" 2>/dev/null && return 0
    sleep 0.1
  done
  log "the release site did not answer on $LEPTOS_SITE_ADDR; see $dir/server.log"
  return 1
}

stop_release_site() {
  local pid
  for pid in $site_pids; do
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  site_pids=""
}

# Deletes superseded builds of the workspace's own crates from the shared target dir (see
# prune_target.py), then warns when the disk is nearly full: a full disk fails the build or
# PostgreSQL's WAL in the middle of the suite, far from the cause.
prune_target() {
  local stems
  stems=$(cargo metadata --no-deps --format-version 1 --offline 2>/dev/null \
    | python3 -c 'import json,sys; print(" ".join(sorted({t["name"].replace("-","_") for p in json.load(sys.stdin)["packages"] for t in p["targets"]} - {"build_script_build"})))' ) || return 0
  [ -n "$stems" ] || return 0
  # shellcheck disable=SC2086
  python3 scripts/lib/prune_target.py "$CARGO_TARGET_DIR" $stems || true
  local free_kb
  free_kb=$(df -Pk "$(dirname "$CARGO_TARGET_DIR")" | awk 'NR==2 {print $4}')
  if [ "${free_kb:-0}" -lt $((12 * 1024 * 1024)) ]; then
    log "disk: only $((free_kb / 1024 / 1024)) GB free; removing $CARGO_TARGET_DIR/debug/incremental"
    rm -rf "$CARGO_TARGET_DIR/debug/incremental"
  fi
}
