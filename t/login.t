# SPDX-License-Identifier: Apache-2.0
# Logging in after a reset, in two more ways a site may log people in
# with the table the module writes (t/conf/extra.conf.in):
#   /form    mod_auth_form, the session an encrypted cookie
#            (mod_session_cookie, mod_session_crypto);
#   /cached  Basic auth through mod_authn_socache, whose cached hash is a
#            window of AuthnCacheTimeout seconds in both directions.
# Basic auth straight from the table (/private) is t/flow.t's.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user clear_mail mail_files parse_mail
    link_in browser url log_text wait_log);
use HTTP::Request::Common qw(POST);
use MIME::Base64 qw(encode_base64 decode_base64);
use URI::Escape qw(uri_escape);
use Time::HiRes qw(sleep time);

plan tests => 29;

# AuthnCacheTimeout of /cached in t/conf/extra.conf.in.
my $CACHE_TIMEOUT = 3;

reset_users();

# ---- form login ----------------------------------------------------------
my ($fiona_old, $fiona_new) = ('old password of fiona', 'a brand new passphrase');
add_user('fiona', 'fiona@example.org', $fiona_old);

# A session opened before the reset.
my $before = browser();
my $res = form_login($before, 'fiona', $fiona_old);
is($res->code, 302, 'form login with the current password: redirected');
is($res->header('Location'), '/form/private/', 'to AuthFormLoginSuccessLocation');
my $old_session = session_cookie($res);
ok($old_session, 'a session cookie is set');
is(join(', ', leaks($old_session, 'fiona', $fiona_old)), '',
   'the session cookie shows neither the user name nor the password (clear, URL-encoded, base64, in its decoded bytes)');
$res = $before->get(url('/form/private/'));
is($res->code, 200, 'the session opens the private page');
like($res->content, qr/private area/, 'and serves it');

ok(reset_password('fiona', 'fiona@example.org', $fiona_new),
   'password reset through the mailed link');

# mod_auth_form keeps the user name and password in the session and checks
# them against the table on every request: the reset ends the session.
$res = $before->get(url('/form/private/'));
is($res->code, 302, 'the session opened before the reset is refused at its next request');
is($res->header('Location'), '/form/login.html', 'to AuthFormLoginRequiredLocation');
$res = $before->get(url('/form/private/'));
is($res->code, 302, 'and so is the cookie that answer sent back');

# The new password logs in at once.
my $after = browser();
$res = form_login($after, 'fiona', $fiona_new);
is($res->code, 302, 'form login with the new password, right after the reset: redirected');
is($res->header('Location'), '/form/private/', 'to AuthFormLoginSuccessLocation');
my $new_session = session_cookie($res);
ok($new_session, 'a session cookie is set');
is(join(', ', leaks($new_session, 'fiona', $fiona_new)), '',
   'the new session cookie shows neither the user name nor the password');
$res = $after->get(url('/form/private/'));
is($res->code, 200, 'the new session opens the private page');
like($res->content, qr/private area/, 'and serves it');

# The old password does not.
my $stale = browser();
$res = form_login($stale, 'fiona', $fiona_old);
is($res->code, 302, 'form login with the old password: redirected');
is($res->header('Location'), '/form/login.html', 'back to the login page');
is($stale->get(url('/form/private/'))->code, 302, 'and no session that opens the private page');

# ---- Basic auth through mod_authn_socache ----------------------------------
# The reset goes up to the form first, so that the window is not spent on
# the mail; then the old password primes the cache, the form is posted, and
# both passwords are tried.  Each try must end within AuthnCacheTimeout of
# the moment the priming request was sent (the entry was stored after it):
# on a machine too busy for that, the round is run again with a new reset.
my @passwords = ('old password of carlos', 'quiet harbour at seven',
                 'copper kite in april rain', 'violet lantern over the bay');
my $old = shift @passwords;
add_user('carlos', 'carlos@example.org', $old);
my ($new, $primed, $primed_done, @within);
for my $round (1 .. 3) {
    $new = shift @passwords;
    my $form = open_reset_form('carlos', 'carlos@example.org');
    my $t0 = time;
    $primed = cached('carlos', $old);
    $primed_done = time;
    my $changed = post_reset_form($form, $new);
    @within = (cached('carlos', $old), cached('carlos', $new),
               private('carlos', $new), private('carlos', $old));
    my $t = time;
    if (!$changed) {
        @within = ();
        last;
    }
    last if $t < $t0 + $CACHE_TIMEOUT;
    diag(sprintf 'round %d took %.1f s, longer than AuthnCacheTimeout: again',
         $round, $t - $t0);
    @within = ();
    $old = $new;
    sleep_until($primed_done + $CACHE_TIMEOUT + 0.5);
}
is($primed, 200, 'before the reset the old password logs in (and its hash is cached)');
ok(@within, 'password reset, and every try made within AuthnCacheTimeout');
is($within[0] // 0, 200, 'within AuthnCacheTimeout the old password is still accepted');
is($within[1] // 0, 401, 'and the new one refused');
is($within[2] // 0, 200, 'while without the cache (/private) the new one is accepted');
is($within[3] // 0, 401, 'and the old one refused');

# Once the entry has expired, the table is read again.
sleep_until($primed_done + $CACHE_TIMEOUT + 0.5);
is(cached('carlos', $new), 200, 'after AuthnCacheTimeout the new password is accepted');
is(cached('carlos', $old), 401, 'and the old one refused');
my $from = length log_text('error_log');
is(cached('carlos', $new), 200, 'the new one again');
ok(wait_log(qr/AH01685: Authn cache: found credentials for carlos/, $from, 5),
   'now from the cache');


# ---- helpers -----------------------------------------------------------------

sub form_login {
    my ($ua, $user, $password) = @_;
    return $ua->request(POST url('/form/dologin'),
        [httpd_username => $user, httpd_password => $password]);
}

sub session_cookie {
    my ($res) = @_;
    for my $c ($res->header('Set-Cookie')) {
        return $1 if $c =~ /^pwreset_session=([^;]+)/;
    }
    return undef;
}

# Where a cookie value shows a secret: in clear, URL-encoded, as base64 at
# any of the three alignments, or in its bytes once base64-decoded.
sub leaks {
    my ($value, @secrets) = @_;
    my $bytes = decode_base64($value);
    my @found;
    for my $s (@secrets) {
        # The characters that encode only the secret's bits, at each of
        # base64's three alignments; a chunk under 8 characters would turn
        # up by chance in a random ciphertext (2 characters: 1 time in 20),
        # so it is left to the decoded-bytes check.
        my @forms = ($s, uri_escape($s), $s =~ tr/ /+/r, grep { length >= 8 } map {
            my $b = encode_base64(('x' x $_) . $s, '');
            substr($b, int((8 * $_ + 5) / 6), -4)
        } 0 .. 2);
        push @found, "'$s' in the cookie" if grep { index($value, $_) >= 0 } @forms;
        push @found, "'$s' in its decoded bytes" if index($bytes, $s) >= 0;
    }
    return @found;
}

sub basic {
    return 'Basic ' . encode_base64("$_[0]:$_[1]", '');
}

sub cached {
    return browser()->get(url('/cached/index.html'),
        Authorization => basic(@_))->code;
}

sub private {
    return browser()->get(url('/private/index.html'),
        Authorization => basic(@_))->code;
}

sub sleep_until {
    my ($when) = @_;
    my $left = $when - time;
    sleep($left) if $left > 0;
}

# The reset mail for $email: the newest that arrives within 15 s.
sub reset_link {
    my ($email) = @_;
    my $until = time + 15;
    while (time < $until) {
        for my $m (map { parse_mail($_) } mail_files()) {
            next unless ($m->{headers}{subject}[0] // '') =~ /^Reset your password/;
            next unless ($m->{headers}{to}[0] // '') eq $email;
            my $link = link_in($m->{text} // '');
            return $link if $link;
        }
        sleep 0.05;
    }
    return undef;
}

# Ask, follow the mailed link, and open the new-password form: the client
# that holds the form cookie, or undef.
sub open_reset_form {
    my ($user, $email) = @_;
    clear_mail();
    my $ua = browser();
    my $res = $ua->request(POST url('/reset/request'), [email => $email]);
    return undef unless $res->code == 200;
    my $link = reset_link($email) or return undef;
    return undef unless $ua->get($link)->code == 303;
    $res = $ua->get(url('/reset/update'));
    return undef unless $res->code == 200 && $res->content =~ /value="\Q$user\E"/;
    return $ua;
}

sub post_reset_form {
    my ($ua, $password) = @_;
    return 0 unless $ua;
    my $res = $ua->request(POST url('/reset/update'),
        [password => $password, confirm => $password]);
    return $res->code == 200 && $res->content =~ /Password changed/;
}

sub reset_password {
    my ($user, $email, $password) = @_;
    return post_reset_form(open_reset_form($user, $email), $password);
}
