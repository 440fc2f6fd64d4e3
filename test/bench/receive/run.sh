#!/bin/sh
# run.sh - reception benchmark (queue only): Tern vs Exim 4.96 (vs Postfix
# 3.7 when lib/postfix.py can run it from an extracted .deb). Loopback
# only; every process started is stopped by PID. Must run as root.
# Usage: test/bench/receive/run.sh [--msgs N] [--only tern,exim,postfix]
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHONUNBUFFERED=1 exec timeout -k 10 600 python3 "$HERE/bench_receive.py" "$@"
