# Shared by scripts/run and scripts/test: make sure the local servers the platform and the tests use exist.
# PostgreSQL and Redis run as plain processes started by the AppHost or the test fixture (no systemd needed).

have_postgres() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || [ -n "${PG_BIN:-}" ]; }
have_redis() { command -v redis-server >/dev/null 2>&1; }

ensure_servers() {
  local missing=()
  have_postgres || missing+=(postgresql)
  have_redis || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "Missing ${missing[*]}: install them (apt-get install -y ${missing[*]}) or set ConnectionStrings__postgres / ConnectionStrings__redis." >&2
      return 1
    fi
  fi
  echo "Installing ${missing[*]} (apt-get)…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
