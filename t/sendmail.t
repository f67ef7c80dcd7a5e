# SPDX-License-Identifier: Apache-2.0
# A sendmail that fails, is missing or hangs changes nothing the user sees;
# the failure is logged with the username, never the token or the address.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user browser url log_text wait_log);
use HTTP::Request::Common qw(POST);

plan tests => 15;

reset_users();
add_user('carol', 'carol@example.org', 'password of carol');

my $normal = browser()->request(POST url('/reset/request'), [email => 'nobody@example.org']);

# Under valgrind ("make check-valgrind"), posix_spawn is run as a fork and
# an exec, so the exec's failure cannot reach the caller: a missing program
# shows as one that exited (with 127, often before reading the mail).
my $missing = ($ENV{PWRESET_TEST_UNDER} // '') eq 'valgrind'
    ? qr/(PWR03(?:06|16): \/nonexistent\/sbin\/sendmail exited [^\n]*mail for user carol[^\n]*)/
    : qr/(PWR0305: could not run \/nonexistent\/sbin\/sendmail for the reset mail for user carol[^\n]*)/;

for my $case (['pwreset_tempfail', qr/(PWR0306: \S+ exited with status 75; the reset mail for user carol was not sent)/],
              ['pwreset_nosendmail', $missing],
              ['pwreset_hangmail', qr/(PWR0313: \S+ took more than 1 s \(PwResetSendmailTimeout\) and was killed; the reset mail for user carol[^\n]*)/]) {
    my ($vhost, $re) = @$case;
    my $from = length log_text('error_log');
    my $res = browser()->request(POST url('/reset/request', $vhost), [email => 'carol@example.org']);
    is($res->code, 200, "$vhost: the usual status");
    is($res->content, $normal->content, "$vhost: the usual page, byte for byte");
    my $line = wait_log($re, $from);
    ok(defined $line, "$vhost: logged") or diag(substr(log_text('error_log'), $from));
    unlike($line // '', qr/carol\@example\.org/, "$vhost: the log line has no address");
    unlike(substr(log_text('error_log'), $from), qr/token=|eyJ/, "$vhost: no token in the log");
}
