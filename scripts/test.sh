#!/usr/bin/env bash
# Runs every Vigil test: unit tests, golden policy scenarios, in-process cluster tests, Pax Exam tests
# against the assembled distribution, and the system tests with real nodes in separate JVMs.
#
# As root it first installs the system packages the tests use (Debian/Ubuntu). Without root it checks
# for them and says what is missing; the tests themselves then skip with a reason, or fail under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(openjdk-17-jdk-headless maven python3 socat iproute2 procps util-linux curl openssh-client iputils-arping iputils-ping libndp-tools bind9 bind9-dnsutils e2fsprogs xfsprogs nginx samba smbclient postgresql mariadb-server cups cups-client cups-bsd ipmitool python3-aiosmtpd rsyslog keepalived chromium chromium-driver prometheus)

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing test prerequisites: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${packages[@]}"
else
    for tool in java mvn python3 socat ip setsid curl ssh-keygen; do
        command -v "$tool" >/dev/null 2>&1 || echo "warning: '$tool' is not installed; tests that need it will skip (or fail under CI=true)"
    done
fi

java -version 2>&1 | head -1
echo "== mvn verify"
exec mvn -B -ntp verify "$@"
