#!/usr/bin/env bash
# Vendor the front-end assets Belonging serves itself (no CDN): GOV.UK Frontend and htmx.
# Versions are pinned here; static/vendor/VERSIONS records what was copied and its checksums.
# GOV.UK Frontend must match what govuk-frontend-jinja targets (4.1.x -> 6.3.0).
# The GDS Transport font files are not copied: that typeface is licensed for GOV.UK only.
set -euo pipefail
GOVUK_FRONTEND_VERSION="6.3.0"
HTMX_VERSION="2.0.8"
ESBUILD_VERSION="0.28.2"  # bundles the public pages' one script (scripts/public-js.mjs)
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "govuk-frontend@$GOVUK_FRONTEND_VERSION" >/dev/null
npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null
mkdir gf hx
tar -xzf govuk-frontend-*.tgz -C gf
tar -xzf htmx.org-*.tgz -C hx
rm -rf "$dest/govuk-frontend" "$dest/htmx"
mkdir -p "$dest/govuk-frontend" "$dest/htmx"
src="gf/package/dist/govuk"
cp "$src"/govuk-frontend.min.css "$dest/govuk-frontend/"
cp "$src"/govuk-frontend.min.js "$dest/govuk-frontend/"
cp -r "$src/assets/images" "$dest/govuk-frontend/images"
cp "$src/assets/manifest.json" "$dest/govuk-frontend/" 2>/dev/null || true
cp gf/package/LICENSE.txt "$dest/govuk-frontend/LICENSE.txt" 2>/dev/null || true
cp hx/package/dist/htmx.min.js "$dest/htmx/"
# The public survey pages load no htmx and not the whole GOV.UK bundle: only the components they
# use (scripts/public-js.mjs), bundled and minified (about 5 KB compressed instead of 11).
npm install --silent --no-save --no-audit --no-fund "esbuild@$ESBUILD_VERSION" >/dev/null
mkdir -p modules && cp -r gf/package modules/govuk-frontend
NODE_PATH="$work/modules" ./node_modules/.bin/esbuild "$root/scripts/public-js.mjs" --bundle \
  --minify --format=esm --target=es2020 --legal-comments=none --log-level=warning \
  --outfile="$dest/govuk-frontend/govuk-frontend-public.min.js"
cp hx/package/LICENSE "$dest/htmx/LICENSE" 2>/dev/null || true
# The stylesheet refers to /assets/fonts and /assets/images. Drop the GDS Transport @font-face
# rules and family name (Arial/system fonts instead, and no wasted font requests on small data
# plans), and point images at the copy beside the stylesheet.
python3 - "$dest/govuk-frontend/govuk-frontend.min.css" <<'PY'
import re, sys
path = sys.argv[1]
css = open(path, encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*\}", "", css)
css = re.sub(r"[\"']?GDS Transport[\"']?,", "", css)
css = css.replace("url(/assets/images/", "url(images/")
open(path, "w", encoding="utf-8").write(css)
PY
{
  echo "govuk-frontend $GOVUK_FRONTEND_VERSION"
  echo "htmx.org $HTMX_VERSION"
  echo "esbuild $ESBUILD_VERSION (govuk-frontend-public.min.js from scripts/public-js.mjs)"
  echo
  (cd "$dest" && find govuk-frontend htmx -type f \( -name '*.css' -o -name '*.js' \) | sort | xargs sha256sum)
} > "$dest/VERSIONS"
echo "Vendored into static/vendor:"; cat "$dest/VERSIONS"
