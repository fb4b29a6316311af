#!/usr/bin/env bash
# `npm run bench`: the benchmark (bench/run.ts), on Node 22 from tools/install-test-tools.sh
# when that is installed, as `npm start` and the tests run, so that its numbers are those of
# the oldest Node this package supports; otherwise on the `node` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/env.sh
source tools/env.sh
node=node
[[ -x "$NODE22" ]] && node="$NODE22"
exec "$node" node_modules/ts-node/dist/bin.js --transpile-only -P tsconfig.json bench/run.ts "$@"
