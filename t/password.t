# SPDX-License-Identifier: Apache-2.0
# The password rules: the two fields must agree, PwResetMinLength counts
# characters (code points), bcrypt's 72-byte limit is said out loud, and
# libpwquality refuses dictionary words, the user name, the address's local
# part; the current password is refused too.  Each refusal is a 422 with the
# form and the reason, and changes nothing.
use strict;
use warnings FATAL => 'all';
use utf8;
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash make_token browser url);
use HTTP::Request::Common qw(POST);
use Encode qw(encode_utf8);

plan tests => 43;

reset_users();
add_user('frank', 'frank.mail@example.org', 'password of frank');
my $before = user_hash('frank');

sub post_update {
    my ($password, $confirm, $vhost) = @_;
    my $cookie = 'pwreset_form=' . make_token(sub => 'frank', purpose => 'form',
                                              hash => user_hash('frank'));
    return browser()->request(POST url('/reset/update', $vhost), Cookie => $cookie,
        Content => [password => encode_utf8($password),
                    confirm  => encode_utf8($confirm // $password)]);
}

my $res = post_update('a long new password', 'a long new passwort');
is($res->code, 422, 'confirm mismatch');
like($res->content, qr/The two passwords differ/, '  says why');
like($res->content, qr/<form method="post">/, '  and shows the form again');
like($res->content, qr/value="frank" readonly/, '  for the same account');

$res = post_update('elevenchars');
is($res->code, 422, 'eleven characters are too short (PwResetMinLength 12)');
like($res->content, qr/too short/, '  says why');

$res = post_update('ééééééééééé');   # 11 code points, 22 bytes
is($res->code, 422, 'eleven accented characters are short, whatever their bytes');

$res = post_update('x' x 73);
is($res->code, 422, '73 bytes: refused, not truncated');
like($res->content, qr/at most 72 bytes/, '  says why');
$res = post_update('€' x 25);        # 25 code points, 75 bytes
is($res->code, 422, '25 euro signs are 75 bytes: refused');

$res = post_update('interestingly');
is($res->code, 422, 'a dictionary word (cracklib through libpwquality)');
like($res->content, qr/too easy to guess.*dictionary word/, '  says why');
$res = post_update('1234567890123');
is($res->code, 422, 'a systematic sequence');
$res = post_update('Frank forgot again');
is($res->code, 422, 'containing the user name');
like($res->content, qr/must not contain your user name/, '  says why');
$res = post_update('my FRANK.MAIL secret');
is($res->code, 422, 'containing the local part of the address (any case)');
$res = post_update('password of frank');
is($res->code, 422, 'the current password');
like($res->content, qr/your current password/, '  says why');

# PwResetQualityConfig: the named file is read (minclass = 3 there).
$res = post_update('only lower case letters here', undef, 'pwreset_quality');
is($res->code, 422, 'PwResetQualityConfig: its minclass applies');
like($res->content, qr/too easy to guess/, '  in libpwquality\'s words');

# Passwords attackers know: the built-in common list (any case), and the
# breached corpus that PwResetBreachedList names.
for my $pw ('password1234', 'zaq1xsw2cde3', 'PassWord1234', 'ZAQ1XSW2CDE3') {
    $res = post_update($pw);
    is($res->code, 422, "a common password: $pw");
    like($res->content, qr/one of the most commonly used/, '  says why');
}
for my $pw (PwResetTest::breached_passwords()) {
    $res = post_update($pw, undef, 'pwreset_breached');
    is($res->code, 422, "in the breached list: $pw");
    like($res->content, qr/appeared in a data breach/, '  says why');
}

is(user_hash('frank'), $before, 'nothing changed so far');

$res = post_update('correct horse battery');
is($res->code, 200, 'spaces are fine, no composition rules');
isnt(user_hash('frank'), $before, '  and the password changed');

$res = post_update('a never breached walrus kettle', undef, 'pwreset_breached');
is($res->code, 200, 'a password not in the breached list is accepted there');

$res = post_update('éàèùâêîôûçëï');  # 12 code points, 24 bytes
is($res->code, 200, 'twelve accented characters are enough');

my $long = join '', map { substr('aZ3kP9qL2mX7vB4n', $_ % 16, 1) . chr(97 + ($_ * 7) % 26) } 0 .. 35;
is(length $long, 72, '(a 72-byte password)');
$res = post_update($long);
is($res->code, 200, '72 bytes are accepted');
is(substr(user_hash('frank'), 0, 7), '$2y$04$', 'stored as $2y$ bcrypt');

# the form shows the rule it enforces
my $cookie = 'pwreset_form=' . make_token(sub => 'frank', purpose => 'form',
                                          hash => user_hash('frank'));
like(browser()->get(url('/reset/update'), Cookie => $cookie)->content,
     qr/minlength="12"/, 'the form tells the browser the minimum');
