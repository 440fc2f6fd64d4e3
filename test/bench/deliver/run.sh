#!/bin/sh
# run.sh - delivery benchmark (queue runs to Maildir and to a loopback
# sink): Tern vs Exim 4.96. Loopback only; every process started is
# stopped by PID. Must run as root.
# Usage: test/bench/deliver/run.sh [--msgs N] [--only tern,exim]
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHONUNBUFFERED=1 exec timeout -k 10 900 python3 "$HERE/bench_deliver.py" "$@"
