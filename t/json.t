# SPDX-License-Identifier: Apache-2.0
# The JSON API of the request and update handlers: JSON answers when the
# request asks for them (Accept, or a JSON body), JSON bodies read as
# strictly as forms, the same guarantees as the pages (the same answer for
# known and unknown addresses, the limits, forged requests, the size
# limit), and errors as stable codes with a message in the negotiated
# language.  No CORS.
use strict;
use warnings FATAL => 'all';
use utf8;
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash clear_mail wait_mails
    mail_files make_token browser url);
use HTTP::Request;
use JSON::PP;
use Encode qw(encode_utf8);
use Time::HiRes qw(sleep);

plan tests => 51;

reset_users();
add_user('jules', 'jules@example.org', 'old password of jules');
my $J = JSON::PP->new->utf8;

sub call {
    my ($method, $path, $body, %h) = @_;
    my $vhost = delete $h{vhost};
    my $req = HTTP::Request->new($method => url($path, $vhost));
    $req->header(Accept => 'application/json') unless exists $h{Accept};
    $req->header($_ => $h{$_}) for keys %h;
    if (defined $body) {
        $req->header('Content-Type' => 'application/json') unless $h{'Content-Type'};
        $req->content(ref $body ? $J->encode($body) : $body);
    }
    my $res = browser()->request($req);
    my $data = eval { $J->decode($res->content) };
    return ($res, $data);
}

# --- the request ---------------------------------------------------------
clear_mail();
my ($known, $k) = call(POST => '/reset/request', { email => 'jules@example.org' });
my ($unknown, $u) = call(POST => '/reset/request', { email => 'nobody@example.org' });
is($known->code, 200, 'request: 200');
is($known->header('Content-Type'), 'application/json', '  application/json');
is($k && $k->{status}, 'sent', '  {"status": "sent"}');
like($k && $k->{message}, qr/on its way/, '  and a message');
is($known->content, $unknown->content, 'the same bytes for a known and an unknown address');
like($known->header('Vary') // '', qr/\bAccept\b/, 'Vary: Accept');
ok(!defined $known->header('Access-Control-Allow-Origin'), 'no CORS header');
is($known->header('Cache-Control'), 'no-store', 'the usual headers');
my @mails = wait_mails(1);
is(scalar @mails, 1, 'the known address got its mail');
for my $lang (qw(de fr es)) {
    my @bodies = map { (call(POST => '/reset/request', { email => $_ },
                             'Accept-Language' => $lang))[0]->content }
        'jules@example.org', 'nobody@example.org';
    ok($bodies[0] eq $bodies[1] && $bodies[0] ne $known->content,
       "$lang: the same JSON for a known and an unknown address, in $lang");
}

my ($res, $d) = call(POST => '/reset/request', 'email=jules%40example.org',
                     'Content-Type' => 'application/x-www-form-urlencoded');
is($d && $d->{status}, 'sent', 'a form body with Accept: application/json: JSON');
($res, $d) = call(POST => '/reset/request', { email => 'jules@example.org' }, Accept => '*/*');
is($res->header('Content-Type'), 'application/json', 'a JSON body: JSON, whatever Accept says');
($res, $d) = call(POST => '/reset/request', undef, Accept => 'text/html,application/json;q=0.9',
                  'Content-Type' => 'application/x-www-form-urlencoded');
like($res->header('Content-Type'), qr{^text/html}, 'a browser\'s Accept: a page');

my @refusals = (
    ['{"email": "jules@example.org"',       400, 'malformed_request', 'malformed JSON'],
    ['{"email": 42}',                        400, 'malformed_request', 'a number for the address'],
    ['{"email": ["jules@example.org"]}',     400, 'malformed_request', 'an array for the address'],
    ['{"email": "a@b.org", "email": "c@d.org"}', 400, 'malformed_request', 'a repeated field'],
    ['{"email": "jules@example.org", "x": 1}', 400, 'malformed_request', 'an extra field'],
    ['{}',                                   400, 'malformed_request', 'no address'],
    ['["jules@example.org"]',                400, 'malformed_request', 'not an object'],
    ['{"email": "jules\u0000@example.org"}', 400, 'malformed_request', '\u0000 in the address'],
    ['{"email": "not an address"}',          400, 'email_invalid', 'an invalid address'],
    ['{"email": ""}',                        400, 'email_missing', 'an empty address'],
    ['{"email": "' . ('a' x 5000) . '@example.org"}', 413, 'body_too_large', 'a body over the limit'],
);
for my $c (@refusals) {
    my ($body, $status, $code, $name) = @$c;
    ($res, $d) = call(POST => '/reset/request', $body);
    ok($res->code == $status && $d && $d->{error} eq $code && length $d->{message},
       "$name: $status {\"error\": \"$code\"}")
        or diag($res->code . ' ' . $res->content);
}
($res, $d) = call(POST => '/reset/request', 'email=x', 'Content-Type' => 'text/plain');
ok($res->code == 415 && $d && $d->{error} eq 'unsupported_media_type', 'text/plain: 415');
($res, $d) = call(POST => '/reset/request', { email => 'nope' }, 'Accept-Language' => 'de');
is($d && $d->{message}, 'Das ist keine gültige E-Mail-Adresse.', 'the message in the negotiated language');
($res, $d) = call(POST => '/reset/request', { email => 'jules@example.org' },
                  'Sec-Fetch-Site' => 'cross-site');
ok($res->code == 403 && $d && $d->{error} eq 'cross_site_request', 'a forged request: 403');
($res, $d) = call(DELETE => '/reset/request');
ok($res->code == 405 && $d && $d->{error} eq 'method_not_allowed', 'DELETE: 405');
my @codes;
for (1 .. 4) {
    ($res, $d) = call(POST => '/reset/request', { email => "c$_\@example.org" },
                      vhost => 'pwreset_clientlimit', 'X-Forwarded-For' => '198.51.100.7');
    push @codes, $res->code;
}
is("@codes", '200 200 200 429', 'the client limit holds for JSON');
is($d && $d->{error}, 'too_many_requests', '  {"error": "too_many_requests"}');
($res, $d) = call(GET => '/reset/request');
is_deeply($d, { fields => ['email'] }, 'GET: what the request takes');

# --- the update ------------------------------------------------------------
my $cookie = 'pwreset_form=' . make_token(sub => 'jules', purpose => 'form');
($res, $d) = call(GET => '/reset/update', undef, Cookie => $cookie);
is($res->code, 200, 'GET update: 200');
is($d && $d->{username}, 'jules', '  the username');
is($d && $d->{min_length}, 12, '  the minimum length');
ok($d && $d->{expires_in} > 590 && $d->{expires_in} <= 600, "  the seconds left ($d->{expires_in})");
($res, $d) = call(GET => '/reset/update');
ok($res->code == 400 && $d && $d->{error} eq 'invalid_or_expired', 'no cookie: 400 invalid_or_expired');

my $before = user_hash('jules');
my @bad = (
    [{ password => 'short', confirm => 'short' }, 422, 'password_too_short'],
    [{ password => 'a long new password', confirm => 'another one' }, 422, 'password_mismatch'],
    [{ password => 'password1234', confirm => 'password1234' }, 422, 'password_common'],
    [{ password => 'a long new password' }, 400, 'malformed_request'],
    [{ password => 1234567890123, confirm => 1234567890123 }, 400, 'malformed_request'],
);
for my $c (@bad) {
    my ($body, $status, $code) = @$c;
    ($res, $d) = call(POST => '/reset/update', $body, Cookie => $cookie);
    ok($res->code == $status && $d && $d->{error} eq $code, "update: $status $code")
        or diag($res->code . ' ' . $res->content);
}
is(user_hash('jules'), $before, 'nothing changed so far');
($res, $d) = call(POST => '/reset/update', '{"password": "a long new password", "confirm": "a long new password", "confirm": "x"}',
                  Cookie => $cookie);
ok($res->code == 400 && $d && $d->{error} eq 'malformed_request', 'a repeated field: 400');
($res, $d) = call(POST => '/reset/update', { password => 'une phrase toute neuve', confirm => 'une phrase toute neuve' },
                  Cookie => $cookie, 'Accept-Language' => 'fr');
is($res->code, 200, 'update: 200');
is($d && $d->{status}, 'changed', '  {"status": "changed"}');
like($d && $d->{message}, qr/Votre mot de passe a été modifié/, '  in French');
like($res->header('Set-Cookie') // '', qr/^pwreset_form=; .*Max-Age=0/, '  the cookie cleared');
isnt(user_hash('jules'), $before, '  the hash changed');
($res, $d) = call(POST => '/reset/update', { password => 'une phrase toute neuve', confirm => 'une phrase toute neuve' },
                  Cookie => $cookie);
ok($res->code == 400 && $d && $d->{error} eq 'invalid_or_expired', 'the same form again: 400');
