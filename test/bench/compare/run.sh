#!/bin/sh
# run.sh - Tern beside Exim 4.96 and Postfix 3.7 in one run: accept only,
# accept+deliver to Maildir, accept+relay to a loopback sink; 1/4/16
# sessions; msg/s, CPU ms, fsyncs, forks and execs per message. Postfix
# runs from the unpacked .deb (lib/postfix-tree downloads it once).
# Loopback only; every process started is stopped by PID. Must run as root.
# Usage: test/bench/compare/run.sh [--msgs N] [--trace K] [--only tern,exim,postfix]
#        [--rows accept,maildir,relay] [--sessions 1,4,16] [--repeat R]
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHONUNBUFFERED=1 exec timeout -k 10 3600 python3 "$HERE/bench_compare.py" "$@"
