#!/usr/bin/env bash
# `npm start`: the offline preview of the project in Pulumi.yaml (arguments go to the preview,
# e.g. `npm start -- --json`). It runs on Node 22 from tools/install-test-tools.sh when that is
# installed, because 22 is the oldest Node @pulumi/pulumi supports and the one the tests run
# on; otherwise on the `node` on PATH, so that `npm ci && npm start` works on a fresh machine.
# An older Node gets a note on stderr (stdout stays the preview's, for --json).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/env.sh
source tools/env.sh

node=node
if [[ -x "$NODE22" ]]; then
    node="$NODE22"
else
    major="$(node -p 'process.versions.node.split(".")[0]')"
    if ((major < 22)); then
        echo "start: Node $(node --version) is older than 22, the oldest this package supports; bash tools/install-test-tools.sh installs Node 22, which npm start then uses" >&2
    fi
fi
exec "$node" node_modules/ts-node/dist/bin.js --transpile-only -P tsconfig.json sdk/preview/cli.ts "$@"
