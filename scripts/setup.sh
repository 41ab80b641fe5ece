#!/usr/bin/env bash
# Install everything the library needs on a fresh Debian machine: Debian packages,
# a virtual environment in .venv and the Python packages. Safe to run again.
# With --tests, also the test tools: a headless browser, the HTML checker, axe-core, veraPDF,
# epubcheck and DAISY Ace.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=false
[[ ${1:-} == --tests ]] && with_tests=true

# Pango and HarfBuzz: WeasyPrint lays out and subsets fonts with them (the subsetter keeps
# the PDFs byte-for-byte reproducible). gettext: the library writes PO files through msgcat,
# so that msgmerge and the PO editors rewrite nothing; the tests also run msgfmt --check.
DEBIAN_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext)
if $with_tests; then
    # chromium: the headless browser the tests run axe-core in, through Playwright.
    DEBIAN_PACKAGES+=(chromium)
    # Java runs the Nu HTML checker (vnu.jar) and veraPDF, whose validator is a Java source file
    # run without a compile step (java ValidatePdf.java), which takes a JDK; veraPDF also needs
    # JAXB (libjaxb-java). npm installs vnu.jar and axe-core. A JDK or a Node.js already on PATH
    # is kept: Debian's npm would replace a newer Node.js.
    DEBIAN_PACKAGES+=(libjaxb-java)
    # epubcheck judges the EPUBs (its jar, run on the same Java); DAISY Ace, from npm, checks
    # their accessibility in the Chromium above.
    DEBIAN_PACKAGES+=(epubcheck)
    command -v javac >/dev/null || DEBIAN_PACKAGES+=(default-jdk-headless)
    command -v npm >/dev/null || DEBIAN_PACKAGES+=(nodejs npm)
fi

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "Installing Debian packages: ${missing[*]} (apt-get)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python=$candidate
        break
    fi
done
[[ -n $python ]] || { echo "Error: Python 3.11 or newer is needed" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
    echo "Creating the virtual environment .venv with $python"
    "$python" -m venv .venv
fi
target=.
$with_tests && target='.[test]'
# pip is quiet but for the name of each package it fetches, so a first install (about a minute)
# says what it is doing; a second one, with everything in place, prints only the first line.
echo "Installing the library and its Python packages into .venv (pip install -e '$target')"
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -e "$target" \
    | sed -nu -e 's/^Collecting \([^ ]*\).*/  \1/p' -e 's/^Successfully installed /  installed: /p'

# The test tools pinned in tests/tools/package-lock.json, again whenever the lock file changes.
# npm writes node_modules/.package-lock.json last, so an interrupted install is done again too.
# --ignore-scripts: vnu-jar's install script would download a Java runtime from GitHub, and Ace's
# Electron and Puppeteer their own browsers (the tests run Ace with Debian's Chromium).
if $with_tests && [[ ! tests/tools/node_modules/.package-lock.json -nt tests/tools/package-lock.json ]]; then
    echo "Installing the test tools in tests/tools: the Nu HTML checker, axe-core and DAISY Ace (npm ci)"
    npm ci --prefix tests/tools --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
