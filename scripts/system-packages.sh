#!/usr/bin/env bash
# Install the Debian packages that a purpose needs and this machine lacks, nothing more.
#
#   bash scripts/system-packages.sh run     # make run:   gettext (msgfmt)
#   bash scripts/system-packages.sh test    # make test:  + chromium, CJK fonts, nginx, the
#                                           #             PostgreSQL and Redis clients
#   bash scripts/system-packages.sh stack   # make stack: + nginx
#
# Used by the Makefile and by .ci/run, so a fresh machine and CI install the same things.
# Each package is looked for by the command or file it provides; apt-get runs only when one
# is missing (after a single `apt-get update`).
set -euo pipefail

# nginx lives in /usr/sbin, which is not on every user's PATH.
have() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; }
have_cjk_font() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }

need=()
want() {
  case "$1" in
    gettext) have msgfmt || need+=(gettext) ;;
    chromium) have chromium || need+=(chromium) ;;
    fonts-noto-cjk) have_cjk_font || need+=(fonts-noto-cjk) ;;
    nginx) have nginx || need+=(nginx) ;;
    postgresql-client) have pg_isready || need+=(postgresql-client) ;;
    redis-tools) have redis-cli || need+=(redis-tools) ;;
    *) echo "system-packages: unknown package $1" >&2; exit 2 ;;
  esac
}

purposes=("$@")
((${#purposes[@]})) || purposes=(run)
for purpose in "${purposes[@]}"; do
  case "$purpose" in
    run) want gettext ;;
    # Browser tests drive Debian's chromium; the stack test runs nginx; .ci/services.sh
    # checks PostgreSQL and Redis with their clients.
    test)
      for p in gettext chromium fonts-noto-cjk nginx postgresql-client redis-tools; do want "$p"; done
      ;;
    stack) for p in gettext nginx; do want "$p"; done ;;
    *) echo "system-packages: unknown purpose '$purpose' (run, test or stack)" >&2; exit 2 ;;
  esac
done

((${#need[@]})) || exit 0
# The same package may be wanted by two purposes.
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "installing Debian packages: ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get is not available: install ${need[*]} with this system's package manager" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "installing needs root: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
