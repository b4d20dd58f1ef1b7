#!/usr/bin/env bash
# Installs the real brokers used by Peregrine's tests, benchmarks and demos (test/brokers/).
#
#   bash test/brokers/install.sh
#
# - Debian packages: redis-server, rabbitmq-server, postgresql (15), mosquitto, nats-server.
#   Their system services are stopped and disabled: the tests start their own copies on free
#   loopback ports (test/brokers/index.ts), and a system copy would only hold default ports.
# - A system user `peregrine-pg`: PostgreSQL refuses to run as root.
# - Apache Kafka (KRaft) and ElasticMQ (SQS) jars from Maven Central, resolved by Maven from the
#   small poms beside this script; Google's Pub/Sub fake (pstest) built with Go.
#
# Downloads and builds go to $PEREGRINE_BROKERS_CACHE (default ~/.cache/peregrine-brokers),
# outside the repository. Idempotent: a second run checks and reuses what is there.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${PEREGRINE_BROKERS_CACHE:-$HOME/.cache/peregrine-brokers}"
APT_PACKAGES=(redis-server rabbitmq-server postgresql mosquitto nats-server)
SERVICES=(redis-server rabbitmq-server postgresql mosquitto nats-server)
PG_USER=peregrine-pg

mkdir -p "$CACHE"
now() { date +%s.%N; }
T0=$(now)
log() { printf '[brokers] %s\n' "$*"; }
# step NAME FUNCTION: run FUNCTION, then print how long it took.
step() {
  local name=$1 start
  shift
  start=$(now)
  log "-> $name"
  "$@"
  log "<- $name: $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }')"
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else SUDO=(false); fi
fi

# A content hash of files, to know when a cached artifact is stale.
fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------------
apt_missing() {
  local p missing=()
  for p in "${APT_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
      missing+=("$p")
    fi
  done
  echo "${missing[@]:-}"
}

APT_INSTALLED=0
install_debian_packages() {
  local missing
  missing=$(apt_missing)
  if [ -z "$missing" ]; then
    log "   already installed: ${APT_PACKAGES[*]}"
    return
  fi
  log "   installing: $missing"
  # Keep maintainer scripts from starting the services during the install (exit 101 = "not
  # allowed"); only when no policy is in place already, and removed again afterwards.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# peregrine test/brokers/install.sh: no service starts during install\nexit 101\n' \
      | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  # shellcheck disable=SC2086 # $missing is a list of package names
  if ! { "${apt[@]}" update -qq &&
    "${apt[@]}" install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing >/dev/null; }; then
    [ "$own_policy" = 1 ] && "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d
    log "   apt-get failed"
    return 1
  fi
  [ "$own_policy" = 1 ] && "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d
  APT_INSTALLED=1
  return 0
}

# Default ports of the packaged services (redis, amqp, epmd, postgres, mqtt, nats).
DEFAULT_PORTS='6379|5672|4369|5432|1883|4222'
default_ports_busy() {
  command -v ss >/dev/null 2>&1 || return 0 # cannot tell: assume busy
  ss -Hltn 2>/dev/null | awk '{print $4}' | grep -Eq ":(${DEFAULT_PORTS})\$"
}

# The packages' own services would hold the default ports: stop them and keep them off.
# Skipped on a later run when that was done before and none of their ports is in use.
stop_system_services() {
  local s
  if [ "$APT_INSTALLED" = 0 ] && [ -f "$CACHE/.services-disabled" ] && ! default_ports_busy; then
    log "   already stopped/disabled (no default broker port in use)"
    return
  fi
  for s in "${SERVICES[@]}"; do
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      "${SUDO[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
    else
      if [ -x "/etc/init.d/$s" ]; then
        "${SUDO[@]}" service "$s" stop >/dev/null 2>&1 || true
        "${SUDO[@]}" update-rc.d "$s" disable >/dev/null 2>&1 || true
      fi
    fi
  done
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl disable --now epmd.socket epmd.service >/dev/null 2>&1 || true
  fi
  # A system epmd (left by a rabbitmq-server service start) holds port 4369; ours use own ports.
  if command -v epmd >/dev/null 2>&1 && epmd -names >/dev/null 2>&1; then
    epmd -kill >/dev/null 2>&1 || true
  fi
  touch "$CACHE/.services-disabled"
  log "   stopped/disabled: ${SERVICES[*]}"
}

create_pg_user() {
  if [ "$(id -u)" -ne 0 ]; then
    log "   not root: not needed (PostgreSQL runs as $(id -un))"
  elif id -u "$PG_USER" >/dev/null 2>&1; then
    log "   user $PG_USER exists"
  else
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$PG_USER"
    log "   created system user $PG_USER"
  fi
}

# ---------------------------------------------------------------------------------------------
# Maven: resolve a pom's runtime classpath into a cache folder (re-done only when the pom changes).
MVN=(mvn -B -q -Dmaven.repo.local="$CACHE/m2" -Dstyle.color=never)
COPY_DEPS=org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies

copy_jars() { # POM DEST
  local pom=$1 dest=$2 fp tmp
  fp=$(fingerprint "$pom")
  if [ -f "$dest/.fingerprint" ] && [ "$(cat "$dest/.fingerprint")" = "$fp" ]; then
    log "   up to date: $dest ($(find "$dest" -name '*.jar' | wc -l) jars)"
    return
  fi
  tmp="$dest.tmp.$$"
  rm -rf "$tmp"
  if ! "${MVN[@]}" -f "$pom" "$COPY_DEPS" -DincludeScope=runtime -DoutputDirectory="$tmp" >"$CACHE/mvn.log" 2>&1; then
    cat "$CACHE/mvn.log"
    log "   maven failed for $pom"
    return 1
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  echo "$fp" >"$dest/.fingerprint"
  log "   copied $(find "$dest" -name '*.jar' | wc -l) jars to $dest"
}

install_kafka() {
  copy_jars "$HERE/kafka/pom.xml" "$CACHE/kafka"
}

install_elasticmq() {
  copy_jars "$HERE/sqs/pom.xml" "$CACHE/elasticmq"
}

build_pubsub() {
  local dest="$CACHE/pubsub" fp
  fp=$(fingerprint "$HERE/pubsub/go.mod" "$HERE/pubsub/go.sum" "$HERE/pubsub/main.go")
  if [ -x "$dest/pstest-server" ] && [ -f "$dest/.fingerprint" ] && [ "$(cat "$dest/.fingerprint")" = "$fp" ]; then
    log "   up to date: $dest/pstest-server"
    return
  fi
  mkdir -p "$dest"
  # Modules stay cached; the build cache (hundreds of MB) is thrown away once the binary exists.
  local gocache
  gocache=$(mktemp -d)
  (
    cd "$HERE/pubsub"
    GOMODCACHE="$CACHE/go/mod" GOCACHE="$gocache" GOTOOLCHAIN=local GOFLAGS=-mod=mod \
      go build -trimpath -ldflags='-s -w' -o "$dest/pstest-server.tmp" .
  )
  rm -rf "$gocache"
  mv "$dest/pstest-server.tmp" "$dest/pstest-server"
  echo "$fp" >"$dest/.fingerprint"
  log "   built $dest/pstest-server"
}

# ---------------------------------------------------------------------------------------------
log "cache: $CACHE"
if [ "${#SUDO[@]}" -gt 0 ] && [ "${SUDO[0]}" = false ] && [ -n "$(apt_missing)" ]; then
  log "not root and no sudo: install these Debian packages yourself: $(apt_missing)"
  exit 1
fi
step "Debian packages (${APT_PACKAGES[*]})" install_debian_packages
step "stop system services" stop_system_services
step "system user $PG_USER" create_pg_user
for tool in java mvn go; do
  command -v "$tool" >/dev/null 2>&1 || { log "missing $tool (Java 17, Maven and Go are expected on the machine)"; exit 1; }
done
step "Kafka jars (Maven Central)" install_kafka
step "ElasticMQ jars (Maven Central)" install_elasticmq
step "Pub/Sub fake (go build)" build_pubsub
log "done in $(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }')"
