# SPDX-License-Identifier: Apache-2.0
# Forged forms: a POST that a browser says comes from another site is
# refused with 403 and changes nothing.  Sec-Fetch-Site decides when it is
# there (same-origin and none pass; same-site and cross-site pass only from
# a PwResetTrustedOrigin); without it, Origin is compared with this site's
# origin, normalised; a client sending neither is served.
use strict;
use feature 'state';
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash make_token browser url
    clear_mail mail_files log_text wait_log);
use HTTP::Request::Common qw(POST);
use Time::HiRes qw(sleep);

plan tests => 38;

reset_users();
add_user('fred', 'fred@example.org', 'old password of fred');
sub url_origin { my ($vhost) = @_; (url('/', $vhost) =~ m{^(http://[^/]+)})[0] }
my $own = url_origin();

sub update {
    my ($headers, $vhost) = @_;
    my $form = make_token(sub => 'fred', purpose => 'form');
    # A new passphrase each time (the current one is refused), none that
    # the dictionary check could take for a word or a sequence.
    state $n = 0;
    my $pw = 'amber lantern oboe ' . ('x' x ++$n) . ' quietly';
    return browser()->request(POST url('/reset/update', $vhost),
        [password => $pw, confirm => $pw],
        Cookie => "pwreset_form=$form", %$headers);
}

sub request {
    my ($headers, $vhost) = @_;
    return browser()->request(POST url('/reset/request', $vhost),
        [email => 'fred@example.org'], %$headers);
}

# Refused: the hash stays, no mail goes, the page says why.
my @forged = (
    [{ Origin => 'http://evil.example' }, 'Origin of another site'],
    [{ Origin => 'null' }, 'Origin: null without Sec-Fetch-Site'],
    [{ 'Sec-Fetch-Site' => 'cross-site', Origin => 'http://evil.example' }, 'Sec-Fetch-Site: cross-site'],
    [{ 'Sec-Fetch-Site' => 'same-site', Origin => 'http://sibling.localhost' }, 'Sec-Fetch-Site: same-site (a sibling subdomain)'],
    [{ Origin => "$own.evil.example" }, 'an Origin that only starts like ours'],
);
for my $c (@forged) {
    my ($h, $name) = @$c;
    my $before = user_hash('fred');
    my $res = update($h);
    is($res->code, 403, "update refused: $name");
    is(user_hash('fred'), $before, '  the hash is unchanged');
}
like(update({ Origin => 'http://evil.example' })->content, qr/sent from another site/,
     'the 403 page says why');
clear_mail();
is(request({ 'Sec-Fetch-Site' => 'cross-site' })->code, 403, 'request refused: cross-site');
is(request({ Origin => 'http://evil.example' })->code, 403, 'request refused: Origin of another site');
sleep 0.5;
is(scalar(mail_files()), 0, '  and no mail went out');

# Served.
my @served = (
    [{ 'Sec-Fetch-Site' => 'same-origin', Origin => 'null' },
     'Sec-Fetch-Site: same-origin with Origin: null (Chromium, no-referrer)'],
    [{ 'Sec-Fetch-Site' => 'same-origin' }, 'Sec-Fetch-Site: same-origin'],
    [{ 'Sec-Fetch-Site' => 'none' }, 'Sec-Fetch-Site: none'],
    [{ Origin => $own }, 'our own Origin'],
    [{ Origin => uc($own) }, 'our own Origin in capitals'],
    [{}, 'neither header (curl)'],
);
for my $c (@served) {
    my ($h, $name) = @$c;
    my $before = user_hash('fred');
    my $res = update($h);
    is($res->code, 200, "update served: $name");
    isnt(user_hash('fred'), $before, '  the password changed');
}
is(request({ 'Sec-Fetch-Site' => 'same-origin', Origin => 'null' })->code, 200,
   'request served: same-origin');

# A site's other origins, trusted by name; normalised (default port).
is(update({ Origin => 'https://www.example.org' }, 'pwreset_trusted')->code, 200,
   'trusted origin: served');
is(update({ Origin => 'HTTPS://WWW.EXAMPLE.ORG:443' }, 'pwreset_trusted')->code, 200,
   'trusted origin with its default port and capitals: served');
is(update({ 'Sec-Fetch-Site' => 'same-site', Origin => 'http://shop.example.org:8080' },
          'pwreset_trusted')->code, 200,
   'trusted origin that the browser calls same-site: served');
is(update({ Origin => 'http://shop.example.org' }, 'pwreset_trusted')->code, 403,
   'a trusted host on another port: refused');
is(update({ 'Sec-Fetch-Site' => 'cross-site', Origin => 'https://evil.example' },
          'pwreset_trusted')->code, 403,
   'an untrusted origin there: refused');

# Sec-Fetch-Site: same-site or cross-site passes only from an origin the
# admin named, never from whatever Host says; PwResetLinkURL's counts as
# named even where no PwResetTrustedOrigin is set.
is(update({ 'Sec-Fetch-Site' => 'cross-site', Origin => url_origin('pwreset_trusted') },
          'pwreset_trusted')->code, 403,
   'cross-site from the Host-derived origin, where trusted origins are set: refused');
is(update({ 'Sec-Fetch-Site' => 'same-site', Origin => $own }, 'pwreset_rotated')->code, 200,
   'same-site from PwResetLinkURL\'s origin, no trusted origins: served');
is(update({ 'Sec-Fetch-Site' => 'same-site', Origin => 'http://sibling.localhost' },
          'pwreset_rotated')->code, 403,
   '  and from another sibling: refused');
# Ports are what a browser can send: 1 to 65535, digits only.
is(update({ Origin => url_origin() =~ s/:(\d+)$/':' . ($1 + 65536)/er })->code, 403,
   'our origin with the port plus 65536: refused');
is(update({ Origin => url_origin() =~ s/:(\d+)$/:+$1/r })->code, 403,
   'our origin with a signed port: refused');

my $from = length log_text('error_log');
request({ Origin => 'http://evil.example' });
ok(defined wait_log(qr/PWR0122: a POST sent from another site was refused \(Origin: http:\/\/evil\.example\)/, $from),
   'the refusal is logged (PWR0122)');
