# SPDX-License-Identifier: Apache-2.0
# The C unit tests of the pure core (t/unit/test_core.c), run under the same
# harness as the rest; the binary prints TAP itself.
use strict;
use warnings FATAL => 'all';
use FindBin ();
my $bin = "$FindBin::Bin/unit/test_core";
if (!-x $bin) {
    print "1..0 # SKIP $bin is not built: run make check\n";
    exit 0;
}
exec $bin or die "exec $bin: $!";
