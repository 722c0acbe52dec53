#!/usr/bin/env bash
# install-prometheus.sh installs Prometheus from Debian's packages when no
# `prometheus` binary is on PATH (or named by OTELAGENT_PROMETHEUS_BIN). The
# tests run the binary themselves on free ports, so the package's own service is
# kept from starting during the install and stopped if it started anyway.
set -euo pipefail

if [[ -n "${OTELAGENT_PROMETHEUS_BIN:-}" && -x "${OTELAGENT_PROMETHEUS_BIN}" ]]; then
	echo "$OTELAGENT_PROMETHEUS_BIN"
	exit 0
fi
if command -v prometheus >/dev/null 2>&1; then
	command -v prometheus
	exit 0
fi

sudo=""
if [[ "$(id -u)" != 0 ]]; then
	sudo="sudo"
fi

# policy-rc.d exiting 101 tells invoke-rc.d not to start services; only add one
# when none exists, and remove only our own.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 0755 "$policy"
	own_policy=true
fi
cleanup() {
	if $own_policy; then
		$sudo rm -f "$policy"
	fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends prometheus >&2

if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
	$sudo systemctl stop prometheus || true
fi
command -v prometheus
