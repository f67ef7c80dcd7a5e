# SPDX-License-Identifier: Apache-2.0
# Every kind of token that must be refused is refused, with the same
# "invalid or expired" page, and the good ones next to them are accepted
# (so that each refusal is shown to be about the one thing changed).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash make_token browser url
    hash_password db);

plan tests => 61;

reset_users();
add_user('alice', 'alice@example.org', 'old password of alice');
add_user('bob', 'bob@example.org', 'old password of bob');

sub link_status {
    my ($token, $vhost) = @_;
    my $q = defined $token ? "?token=$token" : '';
    my $res = browser()->get(url("/reset/link$q", $vhost));
    return $res;
}

sub refused_link {
    my ($token, $name, $vhost) = @_;
    my $res = link_status($token, $vhost);
    is($res->code, 400, "link refused: $name");
    like($res->content, qr/This link is invalid or has expired/, "  with the invalid page");
}

sub form_status {
    my ($token, $vhost) = @_;
    my $ua = browser();
    return $ua->get(url('/reset/update', $vhost),
        Cookie => "pwreset_form=$token")->code;
}

my $now = time;

# controls: what the module itself would make is accepted
is(link_status(make_token())->code, 303, 'control: a good link token');
is(form_status(make_token(purpose => 'form')), 200, 'control: a good form token');

refused_link(make_token(alg => 'none'), 'alg none');
refused_link(make_token(alg => 'none') . 'c2ln', 'alg none with a signature');
refused_link(make_token(alg => 'HS512'), 'HS512 under the same key');
my $good = make_token();
(my $bad_sig = $good) =~ s/(.)$/$1 eq 'A' ? 'B' : 'A'/e;
refused_link($bad_sig, 'a bad signature');
my ($h, $p, $s) = split /\./, $good;
my $other_payload = (split /\./, make_token(sub => 'bob'))[1];
refused_link("$h.$other_payload.$s", 'a payload swapped under a good signature');
refused_link(make_token(purpose => 'form'), 'a form token used as a link');
is(form_status(make_token(purpose => 'link')), 400, 'a link token used as the form cookie');
refused_link(make_token(exp => $now - 1), 'expired');
refused_link(make_token(exp => "" . ($now + 600)), 'exp as a string');
refused_link(make_token(exp => $now + 600.5), 'exp as a real number');
refused_link(make_token(drop => ['exp']), 'no exp');
# The lifetime in force now decides, not the one the token was made with:
# a link issued 1801 s ago with an exp still ahead (made under a longer
# PwResetTokenLifetime) is refused under today's 1800 s; a form token 601 s
# old is refused under PwResetFormLifetime 600.  A token issued in the
# future (past a 60 s skew between servers' clocks) is refused too.
refused_link(make_token(claims => { iat => $now - 1801 }, exp => $now + 3600),
             'older than the current lifetime, exp still ahead');
is(link_status(make_token(claims => { iat => $now - 1700 }, exp => $now + 3600))->code,
   303, 'control: younger than the current lifetime');
is(form_status(make_token(purpose => 'form', claims => { iat => $now - 601 },
                          exp => $now + 600)), 400,
   'a form token older than PwResetFormLifetime');
refused_link(make_token(claims => { iat => $now + 300 }), 'issued five minutes in the future');
is(link_status(make_token(claims => { iat => $now + 30 }))->code, 303,
   'control: issued 30 s ahead (within the skew)');
refused_link(make_token(drop => ['pwh']), 'no fingerprint');
refused_link(make_token(claims => { sub => '' }), 'empty sub');

# a deleted account
my $bob_token = make_token(sub => 'bob');
is(link_status($bob_token)->code, 303, 'control: bob\'s token');
db()->do("DELETE FROM users WHERE username = 'bob'");
refused_link($bob_token, 'a token for a deleted user');

# the password changed since the token was made
my $alice_token = make_token();
db()->do("UPDATE users SET password = ? WHERE username = 'alice'", undef,
         hash_password('changed elsewhere'));
refused_link($alice_token, 'a token made before the password changed');
is(form_status(make_token(purpose => 'form', hash => '$2y$04$stale')), 400,
   'a form token made for another hash');

refused_link('', 'an empty token');
refused_link(undef, 'no token at all');
my $t = make_token();
is(browser()->get(url("/reset/link?token=$t&token=$t"))->code, 400,
   'token given twice');
refused_link('not-a-jwt', 'not a JWT');
refused_link('a.b.c', 'three garbage parts');
refused_link(make_token(header => { kid => 'nonexistent' }), 'an unknown kid');

# keys: the first listed signs, all listed verify; an unlisted key is out
refused_link(make_token(key => 'old'), 'signed with a key no longer listed');
refused_link(make_token(key => 'old', header => { kid => PwResetTest::kid(PwResetTest::key_bytes('current')) }),
             'an unlisted key claiming a listed kid');
is(link_status(make_token(key => 'old'), 'pwreset_rotated')->code, 303,
   'rotation: the old key still verifies where it is listed');
is(link_status(make_token(key => 'current'), 'pwreset_rotated')->code, 303,
   'rotation: the new key verifies there too');
refused_link(make_token(key => 'current'), 'a key the virtual host does not list',
             'pwreset_oldkey');

# the cookie: missing or empty
is(browser()->get(url('/reset/update'))->code, 400, 'form without a cookie');
is(form_status(''), 400, 'form with an empty cookie');
