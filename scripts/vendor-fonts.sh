#!/usr/bin/env bash
# Vendor the font the printable paper forms use: Atkinson Hyperlegible (SIL OFL 1.1), designed
# by the Braille Institute for low-vision readers. WeasyPrint loads it with @font-face, so a PDF
# looks the same on every machine (a fresh Debian has only DejaVu). Version pinned here;
# static/vendor/fonts/VERSIONS records what was copied and its checksums.
set -euo pipefail
FONT_VERSION="5.3.0"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/static/vendor/fonts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@fontsource/atkinson-hyperlegible@$FONT_VERSION" >/dev/null
tar -xzf fontsource-atkinson-hyperlegible-*.tgz
rm -rf "$dest"
mkdir -p "$dest"
for subset in latin latin-ext; do
  for weight in 400 700; do
    cp "package/files/atkinson-hyperlegible-$subset-$weight-normal.woff" "$dest/"
  done
done
cp package/LICENSE "$dest/LICENSE"
cd "$dest"
{
  echo "@fontsource/atkinson-hyperlegible $FONT_VERSION (SIL OFL 1.1)"
  echo
  sha256sum ./*.woff
} > VERSIONS
