# SPDX-License-Identifier: Apache-2.0
# Nothing secret reaches a log.  After a whole flow, and a few odd ways of
# opening the link, none of the access logs (common and combined) nor the
# error log (LogLevel debug) holds the mailed token, its signature, the form
# token, the old or the new password, the key or the address, in plain or
# URL-encoded form.  The link is logged as token=[hidden], the redirect
# carries no token, and every response says Referrer-Policy: no-referrer.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash wait_mails link_in browser
    url log_text key_bytes);
use HTTP::Request::Common qw(POST);
use URI::Escape qw(uri_escape_utf8);
use Time::HiRes qw(sleep);
use IO::Socket::INET;

my @LOGS = qw(access_common_log access_combined_log error_log);
my @SECRETS = ('the mailed token', 'the signature of the mailed token',
               'the form token', 'the signature of the form token',
               'the new password', 'the old password', 'the key',
               'the address');

plan tests => 35 + @LOGS * @SECRETS;

my $user     = 'hank';
my $address  = 'hank.hygiene@example.org';
# Spaces, commas, '&' and ':' so that URL-encoding changes them; neither
# holds the user name or the address (the password rules refuse that).
my $old_pw   = 'Old: violet kettle, drums & 1st!';
my $new_pw   = 'New: amber lantern, oboe & 2nd?';

reset_users();
add_user($user, $address, $old_pw);
my $ua = browser();

# --- the flow ------------------------------------------------------------
my $res = $ua->request(POST url('/reset/request'), [email => $address]);
is($res->code, 200, 'request accepted');
is($res->header('Referrer-Policy') // '', 'no-referrer', '  Referrer-Policy: no-referrer');

my ($mail) = wait_mails(1);
my $link = $mail ? link_in($mail->{text}) : undef;
ok($link, 'the mail carries a link');
$link //= url('/reset/link?token=missing.missing.missing');
my ($token) = $link =~ /token=([A-Za-z0-9._-]+)/;
my $token_sig = (split /\./, $token)[2] // $token;

# Odd ways to open the link, while its token is still good: each refused,
# and each logged as token=[hidden] like the real one.
my $base = url('/reset/link');
is(browser()->get("$base?x=1&token=$token")->code, 400,
   'the token as the second parameter: refused');
is(browser()->get("$base?token=$token%23fragment")->code, 400,
   'the token with a fragment-like suffix: refused');
is(browser()->request(HTTP::Request->new(POST => "$base?token=$token"))->code,
   405, 'a POST to the link: 405');
$res = browser()->get(url("/reset/link?token=$token", 'pwreset_brokendb'));
is($res->code, 503, 'the link on a server without its database: 503');

# An HTTP/0.9 request line (no protocol): logged as the method and the
# hidden URI, nothing glued after it.
{
    my ($hostport) = url('/') =~ m{^http://([^/]+)};
    my $sock = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10);
    print $sock "GET /reset/link?token=$token\r\n";
    my $answer = do { local $/; <$sock> } // '';
    like($answer, qr/invalid or has expired|<html/i, 'an HTTP/0.9 request is answered');
}

my $log_from = length log_text('error_log');
# Spellings of the link's path that httpd normalises to it ("//", an
# escaped unreserved character): hidden before anything sees them, and no
# warning about another path.
is(browser()->get(url("/reset//link?token=$token"))->code, 303, 'the link at /reset//link');
is(browser()->get(url("/reset/%6cink?token=$token"))->code, 303, 'the link at /reset/%6cink');

# The link served at another path (as an Alias would): it works, its token
# is hidden too, late, and the error log says so once.
is(browser()->get(url("/elsewhere/link?token=$token"))->code, 303,
   'the link at another path works');
is(browser()->get(url("/elsewhere/link?token=$token"))->code, 303, '  twice') for 1 .. 3;

# The real click.
$res = $ua->get($link);
is($res->code, 303, 'the link answers 303');
is($res->header('Location') // '', '/reset/update', 'to PwResetUpdateURL');
unlike($res->header('Location') // '', qr/token|\Q$token_sig\E/,
       'the Location carries no token');
is($res->header('Referrer-Policy') // '', 'no-referrer',
   'the 303 says Referrer-Policy: no-referrer');
my ($form_token) = ($res->header('Set-Cookie') // '') =~ /^pwreset_form=([^;]+);/;
ok($form_token, 'the form cookie is set');
$form_token //= 'missing.missing.missing';
my $form_sig = (split /\./, $form_token)[2] // $form_token;
isnt($form_token, $token, 'the form token is not the mailed one');

$res = $ua->get(url('/reset/update'));
is($res->code, 200, 'the new-password form');
is($res->header('Referrer-Policy') // '', 'no-referrer', '  Referrer-Policy: no-referrer');
$res = $ua->request(POST url('/reset/update'), [password => $new_pw, confirm => $new_pw]);
is($res->code, 200, 'password changed');
is($res->header('Referrer-Policy') // '', 'no-referrer', '  Referrer-Policy: no-referrer');
like(user_hash($user), qr/^\$2y\$/, 'a new hash is stored');

# The mailed link, refused now: the refusal is logged without it too.
$res = browser()->get($link);
is($res->code, 400, 'the used link is refused');
is($res->header('Referrer-Policy') // '', 'no-referrer', '  Referrer-Policy: no-referrer');

# Let the notice go out and every log line be written.
my @mails = wait_mails(2);
is(scalar @mails, 2, 'the notice was mailed too');
sleep 1;

# --- the logs ------------------------------------------------------------
my %text = map { $_ => log_text($_) } @LOGS;

like($text{access_common_log}, qr{"GET /reset/link\?token=\[hidden\]" 303 },
     'the HTTP/0.9 request line is logged without a protocol');
like($text{access_common_log}, qr{"GET /elsewhere/link\?token=\[hidden\] HTTP/1\.1" 303 },
     'the link at another path is logged as token=[hidden]');
my @late = substr($text{error_log}, $log_from) =~ /\[pid (\d+):[^\n]*PWR0121: pwreset-link serves \/elsewhere\/link, not the path of PwResetLinkURL \(\/reset\/link\)/g;
my %per_pid;
$per_pid{$_}++ for @late;
unlike(substr($text{error_log}, $log_from), qr{PWR0121: pwreset-link serves /reset/(?:/|%6c)},
       'no warning for spellings of the link\'s own path');
ok(@late && !grep({ $_ > 1 } values %per_pid),
   'the late hiding is logged (PWR0121), once per process')
    or diag("PWR0121 lines per pid: @{[ %per_pid ]}");
my $link_line = qr{"GET /reset/link\?token=\[hidden\] HTTP/1\.1" 303 };
like($text{access_common_log}, $link_line, 'the common log shows token=[hidden] for the link');
like($text{access_combined_log}, $link_line, 'so does the combined log');
my $hidden = () = $text{access_common_log} =~ m{"(?:GET|POST) /reset/link\?token=\[hidden\] HTTP/1\.1" (?:303|400|405|503) }g;
cmp_ok($hidden, '>=', 6, 'every request to the link is logged as token=[hidden]');

# Every spelling a secret could take in a log: as is, and URL-encoded
# with %20 or + for a space.
sub spellings {
    my ($s) = @_;
    my $enc = uri_escape_utf8($s);
    (my $plus = $enc) =~ s/%20/+/g;
    my %seen;
    return grep { !$seen{$_}++ } $s, $enc, $plus;
}

my %secret = (
    'the mailed token'                  => $token,
    'the signature of the mailed token' => $token_sig,
    'the form token'                    => $form_token,
    'the signature of the form token'   => $form_sig,
    'the new password'                  => $new_pw,
    'the old password'                  => $old_pw,
    'the key'                           => key_bytes('current'),
    'the address'                       => $address,
);
for my $log (@LOGS) {
    for my $name (@SECRETS) {
        my @found = grep { index($text{$log}, $_) >= 0 } spellings($secret{$name});
        ok(!@found, "$log holds no trace of $name")
            or diag("found: @found");
    }
}
