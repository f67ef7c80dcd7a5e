# SPDX-License-Identifier: Apache-2.0
# The flow in a real browser: headless Chromium (Debian's chromium) driven
# by playwright-core (t/browser/flow.js, installed by build-aux/browser-setup
# into t/browser/node_modules).  Asks for a link, opens it by a click on a
# page of another site (webmail.test), sets a new password and logs in
# with it; checks the cookie, the address bar, the autocomplete hints, a
# German browser, a template and a phone.  Screenshots go to
# t/logs/screenshots/.
use strict;
use warnings FATAL => 'all';
use FindBin ();
use lib "$FindBin::Bin/lib";
use Apache::Test ();
use PwResetTest qw(t_dir reset_users add_user clear_mail url);

my $t = t_dir();
my $node = `command -v node 2>/dev/null`;
chomp $node;
my $chromium = $ENV{PWRESET_CHROMIUM} || '/usr/bin/chromium';
my $why = !$node ? 'node is not installed'
        : !-x $chromium ? "$chromium is not installed"
        : !-d "$t/browser/node_modules/playwright-core" ? 'playwright-core is not installed (build-aux/browser-setup)'
        : undef;
if ($why) {
    print "1..0 # SKIP $why\n";
    exit 0;
}

reset_users();
add_user('brenda', 'brenda@example.org', 'old password of brenda');
clear_mail();

# The other site's page: a mail in a webmail, with the link to click.
open my $fh, '>', "$t/htdocs/webmail.html" or die "webmail.html: $!";
print $fh <<'EOF';
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Webmail</title></head>
<body><h1>Inbox</h1><p>Reset your password:</p>
<script>
const a = document.createElement('a');
a.id = 'link';
a.href = decodeURIComponent(location.hash.slice(1));
a.textContent = 'Choose a new password';
document.body.appendChild(a);
</script></body></html>
EOF
close $fh;

my ($base) = url('/') =~ m{^(http://[^/]+)};
my ($styled) = url('/', 'pwreset_styled') =~ m{^(http://[^/]+)};
$ENV{PWRESET_BASE} = $base;
$ENV{PWRESET_STYLED} = $styled;
$ENV{PWRESET_MAIL_DIR} = "$t/var/mail";
$ENV{PWRESET_SHOTS} = "$t/logs/screenshots";
$ENV{PWRESET_USER} = 'brenda';
$ENV{PWRESET_EMAIL} = 'brenda@example.org';
$ENV{NODE_PATH} = "$t/browser/node_modules";
$ENV{HOME} //= $t;
chdir "$t/browser" or die "$t/browser: $!";
exec $node, "$t/browser/flow.js" or die "exec node: $!";
