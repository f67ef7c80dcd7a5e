# SPDX-License-Identifier: Apache-2.0
# The abuse limits, kept in the shared object cache: POSTs from one client
# address (429 with Retry-After past it, whatever the address typed), and
# mails to one address (past it the usual page and no mail).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user make_token wait_mails mail_files
    browser url log_text wait_log);
use HTTP::Request::Common qw(POST GET);
use Time::HiRes qw(sleep);

plan tests => 28;

reset_users();
add_user('ivy', 'ivy@example.org', 'password of ivy');

# --- PwResetClientLimit 3 60 --------------------------------------------
sub post_as {
    my ($ip, $path, $content, @h) = @_;
    return browser()->request(POST url($path, 'pwreset_clientlimit'),
        'X-Forwarded-For' => $ip, @h, Content => $content);
}
my @codes = map { post_as('192.0.2.10', '/reset/request', [email => "n$_\@example.org"])->code } 1 .. 3;
is("@codes", '200 200 200', 'three POSTs from one client pass');
my $res = post_as('192.0.2.10', '/reset/request', [email => 'ivy@example.org']);
is($res->code, 429, 'the fourth gets 429');
my $retry = $res->header('Retry-After') // '';
ok($retry =~ /^\d+$/ && $retry >= 1 && $retry <= 61, "with Retry-After ($retry)");
like($res->content, qr/Too many attempts/, 'and a page saying so');
is($res->header('Cache-Control'), 'no-store', 'with the usual headers');
is(post_as('192.0.2.10', '/reset/request', [email => 'not an address'])->code, 429,
   'whatever the address');
is(post_as('192.0.2.10', '/reset/update', [password => 'x', confirm => 'x'],
           Cookie => 'pwreset_form=' . make_token(sub => 'ivy', purpose => 'form'))->code,
   429, 'the update form counts against the same limit');
is(browser()->request(GET url('/reset/request', 'pwreset_clientlimit'),
   'X-Forwarded-For' => '192.0.2.10')->code, 200, 'a GET is not limited');
is(post_as('192.0.2.11', '/reset/request', [email => 'ivy@example.org'])->code, 200,
   'another client address (r->useragent_ip, via mod_remoteip) is not');

# IPv6 clients are counted per /64 (one host may use any address in it);
# an IPv4-mapped address is its IPv4 address.
@codes = map { post_as("2001:db8:0:7::$_", '/reset/request', [email => "v$_\@example.org"])->code } 1 .. 3;
is("@codes", '200 200 200', 'three POSTs from three addresses of one /64 pass');
is(post_as('2001:db8:0:7:ffff::99', '/reset/request', [email => 'v4@example.org'])->code, 429,
   'a fourth address of the same /64 gets 429');
is(post_as('2001:db8:0:8::1', '/reset/request', [email => 'v5@example.org'])->code, 200,
   'another /64 is not limited');
@codes = map { post_as('192.0.2.20', '/reset/request', [email => "w$_\@example.org"])->code } 1 .. 3;
is(post_as('::ffff:192.0.2.20', '/reset/request', [email => 'w4@example.org'])->code, 429,
   'an IPv4-mapped address counts as its IPv4 address');

# A client's counter stays while many other clients post: shmcb picks one
# of its subcaches by an id's first byte, and when every id began alike,
# all shared one subcache and the default cache held 153 counters.  400
# other clients here (their one account counter besides), well within the
# 60 s window (a slower run says so and skips).
{
    my $t0 = time;
    post_as('192.0.2.30', '/reset/request', [email => "x$_\@example.org"]) for 1 .. 3;
    my $ua = browser();
    for my $i (1 .. 400) {
        $ua->request(POST url('/reset/request', 'pwreset_clientlimit'),
            'X-Forwarded-For' => sprintf('198.18.%d.%d', $i >> 8, $i & 255),
            Content => [email => 'flood@example.org']);
    }
    my $code = post_as('192.0.2.30', '/reset/request', [email => 'x4@example.org'])->code;
    SKIP: {
        skip 'the flood took longer than the 60 s window', 1 if time - $t0 > 50;
        is($code, 429, 'still limited after 400 other clients posted');
    }
}

# --- PwResetAccountLimit 2 3600 -----------------------------------------
sleep 1;
reset_users();
add_user('ivy', 'ivy@example.org', 'password of ivy');
my $from = length log_text('error_log');
my @known = map { browser()->request(POST url('/reset/request', 'pwreset_accountlimit'),
                                     [email => 'IVY@example.org']) } 1 .. 3;
my @unknown = map { browser()->request(POST url('/reset/request', 'pwreset_accountlimit'),
                                       [email => 'nobody@example.org']) } 1 .. 3;
is(join(' ', map { $_->code } @known, @unknown), '200 200 200 200 200 200',
   'every request gets the usual status');
is(scalar(grep { $_->content eq $known[0]->content } @known[1, 2], @unknown), 5,
   'and the usual page, past the limit too');
wait_mails(2);
ok(defined wait_log(qr/PWR0311: account limit reached for user ivy/, $from),
   'the third is logged (PWR0311) with the username');
sleep 0.5;
my @mails = map { PwResetTest::parse_mail($_) } mail_files();
is(scalar @mails, 2, 'only two mails went out');
is(scalar(grep { $_->{headers}{to}[0] eq 'ivy@example.org' } @mails), 2, 'both to ivy');
unlike(substr(log_text('error_log'), $from), qr/ivy\@example\.org/i, 'no address in the log');

# the limit is per address: another account still gets its mail
add_user('jay', 'jay@example.org', 'password of jay');
browser()->request(POST url('/reset/request', 'pwreset_accountlimit'), [email => 'jay@example.org']);
@mails = wait_mails(3);
is(scalar @mails, 3, 'another address is not limited');
is($mails[-1]{headers}{to}[0], 'jay@example.org', 'its mail went out');

# limits are per virtual host: the main server has them off
my @main = map { browser()->request(POST url('/reset/request'), [email => 'nobody@example.org'])->code } 1 .. 5;
is("@main", '200 200 200 200 200', 'the main server (limits off) is not limited');
is(browser()->get(url('/reset/request', 'pwreset_accountlimit'))->code, 200, 'GET still fine');

# --- the account limit counts accounts ----------------------------------
# Six spellings that the lookup folds into one account, each under the
# limit of its own typed spelling: three mails, not six.
sleep 1;
reset_users();
add_user('kate', 'kate@example.org', 'password of kate');
$from = length log_text('error_log');
my @spellings = ('kate@example.org', 'k.ate@example.org', 'ka.te@example.org',
                 'kat.e@example.org', 'k.a.te@example.org', 'k.at.e@example.org');
my @answers = map { browser()->request(POST url('/reset/request', 'pwreset_folding'), [email => $_]) } @spellings;
is(join(' ', map { $_->code } @answers), '200 200 200 200 200 200', 'six spellings: the usual status');
is(scalar(grep { $_->content eq $answers[0]->content } @answers), 6, 'and the same page');
wait_mails(3);
ok(defined wait_log(qr/PWR0311: account limit reached for user kate/, $from),
   'the fourth is logged (PWR0311)');
sleep 1;
is(scalar(mail_files()), 3, 'only three mails went out to the account');
