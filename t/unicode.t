# SPDX-License-Identifier: Apache-2.0
# Addresses that only look alike stay apart, and a stored address that is
# not one plain address is never mailed.
#
# - "mıke@example.org" (dotless ı) and other look-alikes of
#   mike@example.org reach nobody; "MIKE@example.org" reaches mike, at the
#   address stored for him.
# - An account whose stored address names two recipients, or holds CR/LF,
#   or is not ASCII, gets no mail: PWR0303 names the user, not the address.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user clear_mail mail_files wait_mails
    make_token browser url log_text wait_log);
use HTTP::Request::Common qw(POST);
use URI::Escape qw(uri_escape_utf8);
use Time::HiRes qw(sleep time);
use Encode qw(encode_utf8);

# Look-alikes of mike@example.org, as typed in the request form.
my @lookalikes = (
    ["M\x{130}KE\@example.org",                 'capital dotted I (U+0130)'],
    ["mi\x{212A}e\@example.org",                'Kelvin sign for k (U+212A)'],
    ["\x{FF4D}\x{FF49}\x{FF4B}\x{FF45}\@example.org", 'fullwidth mike'],
    ["mike\x{FF20}example.org",                 'fullwidth at sign'],
    ['email=%E2%80%AEmike@example.org',        'right-to-left override first (as sent)'],
    ["mike\x{200B}\@example.org",               'zero-width space'],
    ["mi\x{AD}ke\@example.org",                 'soft hyphen'],
    ["mike\@example.org\x{A0}",                 'no-break space after'],
    ["mike\@\x{435}xample.org",                 'Cyrillic e in the domain'],
);

# The accounts whose stored address must not be mailed.
my @unmailable = (
    ['zed', 'zed@example.org, eve@example.org', 'two recipients'],
    ['yan', "yan\@example.org\r\nBcc: eve\@example.org", 'CR/LF and a Bcc'],
    ['xia', "xia\@example.org\n", 'a trailing LF'],
);

plan tests => 3 + @lookalikes + 2 + 4 + 5 * @unmailable + 3 + 1 + 4;

reset_users();
add_user('mike', 'mike@example.org', 'password of mike');

sub post_email {
    my ($email, $vhost) = @_;
    my $body = $email =~ /^email=/ ? $email : 'email=' . uri_escape_utf8($email);
    my $req = HTTP::Request->new(POST => url('/reset/request', $vhost));
    $req->header('Content-Type' => 'application/x-www-form-urlencoded');
    $req->content($body);
    return browser()->request($req);
}

sub log_from { length log_text('error_log') }

# Wait until $re matches $n times in the error log after $from; the count.
sub wait_count {
    my ($re, $from, $n, $timeout) = @_;
    my $until = time + ($timeout // 10);
    my $count;
    while (1) {
        my $text = substr(log_text('error_log'), $from);
        $count = () = $text =~ /$re/g;
        last if $count >= $n || time > $until;
        sleep 0.05;
    }
    return $count;
}

my $no_match = qr/PWR0302: a reset request matched no account/;

# --- the dotless spelling ----------------------------------------------
my $from = log_from();
my $res = post_email("m\x{131}ke\@example.org");
is($res->code, 200, 'dotless ı: the neutral page (a well-formed address)');
ok(wait_count($no_match, $from, 1) == 1, '  looked up, and matched no account');
sleep 1;
is(scalar(mail_files()), 0, '  no mail, a second later');

# --- other look-alikes ---------------------------------------------------
$from = log_from();
my $neutral = 0;
for my $c (@lookalikes) {
    my ($email, $name) = @$c;
    my $code = post_email($email)->code;
    $neutral++ if $code == 200;
    ok($code == 200 || $code == 400, "$name: 200 or 400") or diag("got $code");
}
is(wait_count($no_match, $from, $neutral), $neutral,
   "each look-alike that was accepted ($neutral) matched no account");
sleep 1;
is(scalar(mail_files()), 0, 'none of them mailed anyone');

# --- another case of the same address: mike, at the stored address -------
clear_mail();
$res = post_email('MIKE@example.org');
is($res->code, 200, 'MIKE@example.org: the neutral page');
my @mails = wait_mails(1);
sleep 1;
@mails = map { PwResetTest::parse_mail($_) } mail_files();
is(scalar @mails, 1, '  exactly one mail');
is($mails[0] ? $mails[0]{headers}{to}[0] : '', 'mike@example.org',
   '  to the stored address, not the typed one');
like($mails[0] ? $mails[0]{text} : '', qr/"mike"/, '  for the account mike');

# --- stored addresses that must never be mailed -------------------------
clear_mail();
for my $c (@unmailable) {
    my ($user, $stored, $name) = @$c;
    add_user($user, $stored, "old password of $user");
    my ($first) = $stored =~ /^([^,\s]+)/;

    # Asking with the stored spelling: refused as malformed, no lookup.
    is(post_email($stored)->code, 400, "$user ($name): typing the stored address is refused");
    # Asking with its first address: no account has exactly that one.
    $from = log_from();
    is(post_email($first)->code, 200, "$user: asking with $first alone: the neutral page");

    # The password-changed notice goes to the stored address: the one path
    # on which the default queries hand that address to the mailer.
    my $cookie = make_token(sub => $user, purpose => 'form');
    $res = browser()->request(POST url('/reset/update'),
        Cookie => "pwreset_form=$cookie",
        Content => [password => 'a fresh passphrase, odd as a walrus',
                    confirm  => 'a fresh passphrase, odd as a walrus']);
    is($res->code, 200, "$user: the password is changed all the same");
    my $line = wait_log(qr/(PWR0303:[^\n]*)/, $from);
    like($line // '', qr/\buser \Q$user\E\b/, "$user: PWR0303 names the user")
        or diag(substr(log_text('error_log'), $from));
    unlike($line // '@', qr/@|eve|\Q$first\E/, "$user: and not the address");
}

# A stored address that is well-formed but not ASCII: asked for exactly as
# stored, it is found, and not mailed (sendmail -t would need SMTPUTF8).
add_user('jose', encode_utf8("jos\x{e9}\@example.org"), 'old password of jose');
$from = log_from();
is(post_email("jos\x{e9}\@example.org")->code, 200, 'jose (non-ASCII address): the neutral page');
my $line = wait_log(qr/(PWR0303:[^\n]*)/, $from);
like($line // '', qr/\buser jose\b/, 'jose: PWR0303 names the user')
    or diag(substr(log_text('error_log'), $from));
unlike($line // '@', qr/@|jos\x{e9}|jos\xc3\xa9/, 'jose: and not the address');

sleep 1;
is(scalar(mail_files()), 0, 'no mail to any of these accounts, a second later');

# A user name that is not ASCII goes into the mail as UTF-8: each part
# holding it is 8bit, and so is the message around them (RFC 2045, 6.4).
clear_mail();
add_user(encode_utf8("zo\x{eb}"), 'zoe@example.org', 'old password of zoe');
is(post_email('zoe@example.org')->code, 200, 'zoë: the neutral page');
my ($zoe) = wait_mails(1);
is($zoe && $zoe->{headers}{'content-transfer-encoding'}[0], '8bit',
   'zoë: the multipart message is labelled 8bit');
is($zoe && join(',', map { $_->{headers}{'content-transfer-encoding'}[0] } @{ $zoe->{parts} }),
   '8bit,8bit', 'zoë: and so are its parts');
like($zoe ? $zoe->{text} : '', qr/"zo\xc3\xab"/, 'zoë: the name is in the text as UTF-8');
