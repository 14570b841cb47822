#!/bin/sh
# Install the Debian packages Jardam needs when they are missing.
# Usage: tests/deps.sh build|test|bench
set -e
build="gcc make pkg-config libevent-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev libjansson-dev libinih-dev libargon2-dev"
test="libcmocka-dev python3 python3-pytest chromium"
bench="wrk"
case "$1" in
	build) want="$build" ;;
	test) want="$build $test" ;;
	bench) want="$build $bench" ;;
	*) echo "usage: $0 build|test|bench" >&2; exit 64 ;;
esac
# Node.js runs the browser tests; the machine image may already have it.
[ "$1" = test ] && ! command -v node >/dev/null 2>&1 && want="$want nodejs npm"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
