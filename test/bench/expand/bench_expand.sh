#!/bin/sh
# bench_expand.sh - time N expansions of a typical router condition in
# tern -be and exim4 -be, both fed the same lines on stdin; prints the
# seconds for each and the ratio. Usage: bench_expand.sh [N] [TERN_BIN]
set -e
N=${1:-100000}
TERN=${2:-$(dirname "$0")/../../../build/tern}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
COND='${if and{{eq{$domain}{example.com}}{match{$local_part}{^[a-z]+\$}}}{yes}{no}}'
awk -v n="$N" -v c="$COND" 'BEGIN { for (i = 0; i < n; i++) print c }' > "$TMP/lines"
: > "$TMP/conf"
t0=$(date +%s.%N)
"$TERN" -C "$TMP/conf" -be < "$TMP/lines" > "$TMP/tern.out"
t1=$(date +%s.%N)
echo "tern:  $N expansions in $(echo "$t1 - $t0" | bc) s"
if [ -x /usr/sbin/exim4 ]; then
    t2=$(date +%s.%N)
    /usr/sbin/exim4 -be < "$TMP/lines" > "$TMP/exim.out"
    t3=$(date +%s.%N)
    echo "exim4: $N expansions in $(echo "$t3 - $t2" | bc) s"
    cmp -s "$TMP/tern.out" "$TMP/exim.out" && echo "outputs identical" || echo "outputs differ"
    echo "ratio exim4/tern: $(echo "scale=2; ($t3 - $t2) / ($t1 - $t0)" | bc)"
fi
