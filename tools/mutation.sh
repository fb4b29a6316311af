#!/usr/bin/env bash
# `npm run mutation`: StrykerJS over the pure layers (stryker.conf.json), on Node 22. Not part of
# `npm test` (it takes tens of minutes); see docs/testing.md. Arguments go to `stryker run`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/env.sh
source tools/env.sh
PATH="$(dirname "$NODE22"):$PATH"
# Stryker's mocha runner needs mocha 11 (see tools/mocha-11.cjs); its worker processes inherit this.
export NODE_OPTIONS="--require $PWD/tools/mocha-11.cjs ${NODE_OPTIONS:-}"
exec node node_modules/@stryker-mutator/core/bin/stryker.js run stryker.conf.json "$@"
