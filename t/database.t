# SPDX-License-Identifier: Apache-2.0
# A broken database: a logged error and a clean page, never a crash, and
# nothing an attacker can tell apart on the request page.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user make_token browser url log_text wait_log);
use HTTP::Request::Common qw(POST);

plan tests => 16;

reset_users();
add_user('hank', 'hank@example.org', 'password of hank');

my $normal = browser()->request(POST url('/reset/request'), [email => 'nobody@example.org']);
my $from = length log_text('error_log');
my $res = browser()->request(POST url('/reset/request', 'pwreset_brokendb'), [email => 'hank@example.org']);
is($res->code, 200, 'request: the usual status');
is($res->content, $normal->content, 'request: the usual page');
ok(defined wait_log(qr/PWR0102: no database connection.*\n.*PWR0301/, $from),
   'request: the failure is logged');

# a token that is good on the main server meets no database here
$res = browser()->get(url('/reset/link?token=' . make_token(sub => 'hank'), 'pwreset_brokendb'));
is($res->code, 503, 'link: 503');
is($res->header('Retry-After'), '60', 'link: Retry-After');
like($res->content, qr/try again/i, 'link: a clean page');
is($res->header('Cache-Control'), 'no-store', 'link: the usual headers');

$res = browser()->get(url('/reset/update', 'pwreset_brokendb'),
    Cookie => 'pwreset_form=' . make_token(sub => 'hank', purpose => 'form'));
is($res->code, 503, 'update: 503');

# the main server, with its own database, is unaffected
is(browser()->get(url('/reset/link?token=' . make_token(sub => 'hank')))->code, 303,
   'the main server still works');

# A virtual host with a database of its own (for its own logins) inherits
# the PwReset settings: nothing of ours is prepared against its database
# at start-up, so mod_dbd keeps its connections and its logins work.
my $members = url('/private/', 'pwreset_owndb');
my $login = browser();
$login->credentials(($members =~ m{//([^/]+)})[0], 'mod_pwreset tests',
                    'olga', 'olga member password');
is($login->get($members)->code, 200, 'own database: its login works');
$login->credentials(($members =~ m{//([^/]+)})[0], 'mod_pwreset tests',
                    'olga', 'a wrong password');
is($login->get($members)->code, 401, 'own database: a wrong password is refused');
# Our statements do not fit its tables: the module's own answers stay clean.
$from = length log_text('error_log');
$res = browser()->request(POST url('/reset/request', 'pwreset_owndb'), [email => 'hank@example.org']);
is($res->code, 200, 'own database: the usual request status');
is($res->content, $normal->content, 'own database: the usual request page');
$res = browser()->get(url('/reset/link?token=' . make_token(sub => 'hank'), 'pwreset_owndb'));
is($res->code, 503, 'own database: a link answers 503');
ok(defined wait_log(qr/PWR0201: statement pwreset_by_email_\w+ could not be prepared: no such column: email/, $from),
   'own database: the prepare failure is logged');
# and the main server's resets are unaffected
is(browser()->get(url('/reset/link?token=' . make_token(sub => 'hank')))->code, 303,
   'own database: the main server still works');
