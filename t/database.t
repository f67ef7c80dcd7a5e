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

plan tests => 9;

reset_users();
add_user('hank', 'hank@example.org', 'password of hank');

my $normal = browser()->request(POST url('/reset/request'), [email => 'nobody@example.org']);
my $from = length log_text('error_log');
my $res = browser()->request(POST url('/reset/request', 'pwreset_brokendb'), [email => 'hank@example.org']);
is($res->code, 200, 'request: the usual status');
is($res->content, $normal->content, 'request: the usual page');
ok(defined wait_log(qr/PWR0301|PWR0202/, $from), 'request: the failure is logged');

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
