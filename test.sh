#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install what is missing, build, and run the whole test suite: the C unit
# tests and the Apache::Test suite against the module just built.  As root,
# the suite itself runs as the unprivileged user "pwreset-test".
# Arguments choose test files:  ./test.sh t/flow.t t/tokens.t
set -eu
cd "$(dirname "$0")"
PWRESET_PACKAGES=tests . build-aux/bootstrap
# Chromium and playwright-core for t/browser.t (skipped without them).
build-aux/browser-setup
exec make check T="$*"
