#!/usr/bin/env bash
# Packages the extension into OUT (default: intentls.vsix): the bundled extension, the
# intents.toml schema, and the server's wheels when bundled/wheels holds them (`make dist` puts
# them there; a vsix without them starts `intentls` from PATH). With SOURCE_DATE_EPOCH set,
# every packaged file carries that time, so the same sources give the same vsix.
#   scripts/package.sh [OUT]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$(realpath -m "${1:-$HERE/intentls.vsix}")"
cd "$HERE"
mkdir -p schemas
cp "$REPO/server/intentls/intents.schema.json" schemas/intents.schema.json
node scripts/build.mjs --production >/dev/null
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  find out schemas package.json README.md LICENSE $( [ -d bundled ] && echo bundled ) \
    -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
fi
npx --no-install vsce package --no-dependencies --allow-missing-repository --out "$OUT" >/dev/null
echo "$OUT"
