#!/bin/sh
# Builds the libwbxml harness and times libwbxml on the documents of the Java codec benchmark, on one core.
#
#   benchmarks/libwbxml/run.sh [seconds per measurement] [cpu]
#
# Needs gcc, pkg-config and libwbxml2-dev (apt-get install libwbxml2-dev), and the benchmarks jar
# (mvn -B -pl gateway-wbxml,benchmarks -am package -DskipTests).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-5}
cpu=${2:-1}
out="$root/benchmarks/target/libwbxml"
mkdir -p "$out"

gcc -O2 -Wall -Wextra -o "$out/bench" "$here/bench.c" $(pkg-config --cflags --libs libwbxml2)
java -cp "$root/benchmarks/target/benchmarks.jar" dev.easgate.bench.codec.DumpDocuments "$out"

echo "libwbxml $(dpkg-query -W -f '${Version}' libwbxml2-1 2>/dev/null || echo '?'), gcc -O2, taskset -c $cpu"
for doc in sync-response ping; do
    taskset -c "$cpu" "$out/bench" "$out/$doc.wbxml" "$seconds"
done
