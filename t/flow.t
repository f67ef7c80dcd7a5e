# SPDX-License-Identifier: Apache-2.0
# The whole flow, end to end, as a person with a browser and a mailbox
# would go through it.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash wait_mails link_in
    browser url hash_password);
use HTTP::Request::Common qw(POST);

plan tests => 43;

reset_users();
add_user('alice', 'Alice@Example.org', 'old password of alice');
my $old_hash = user_hash('alice');
my $ua = browser();

# Basic auth over the same table: the old password works, for now.
my $private = url('/private/index.html');
is($ua->get($private, Authorization => basic('alice', 'old password of alice'))->code, 200, 'old password logs in before the reset');

# 1. the request form
my $res = $ua->get(url('/reset/request'));
is($res->code, 200, 'request form');
like($res->content, qr/name="email"/, 'form has the email field');

# 2. ask, with another spelling of the address and surrounding spaces
$res = $ua->request(POST url('/reset/request'), [email => '  alice@EXAMPLE.org ']);
is($res->code, 200, 'request accepted');
like($res->content, qr/Check your mail/, 'neutral page');
unlike($res->content, qr/alice/i, 'page does not repeat the address');

my @mails = wait_mails(1);
is(scalar @mails, 1, 'one message piped to sendmail');
my $m = $mails[0];
my %h = %{ $m->{headers} };
is($h{to}[0], 'Alice@Example.org', 'mailed to the stored address');
is($h{from}[0], 'no-reply@example.org', 'From is PwResetMailFrom');
is($h{subject}[0], 'Reset your password for localhost', 'Subject, with the site name (the host of PwResetLinkURL)');
like($h{date}[0], qr/^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/,
     'Date, with a numeric zone (RFC 5322)');
ok(!$h{'content-transfer-encoding'}, 'an ASCII message needs no top-level encoding (7bit)');
is(join(',', map { $_->{headers}{'content-transfer-encoding'}[0] } @{ $m->{parts} }),
   '7bit,7bit', 'both parts 7bit');
like($h{'message-id'}[0], qr/^<[0-9a-f]+\.pwreset\@example\.org>$/, 'Message-ID');
is($h{'mime-version'}[0], '1.0', 'MIME-Version');
is($h{'auto-submitted'}[0], 'auto-generated', 'Auto-Submitted');
like($h{'content-type'}[0], qr{^multipart/alternative; boundary=}, 'multipart/alternative');
my $link = link_in($m->{text});
ok $link, 'text part carries the link';
is($m->{html} =~ /href="\Q$link\E"/ ? 1 : 0, 1, 'html part carries the same link');
like($link, qr{^\Q${\ url('/reset/link')}\E\?token=}, 'link points at PwResetLinkURL');

# 3. the link: cookie and 303 to the form, the token leaves the address bar
$res = $ua->get($link);
is($res->code, 303, 'link answers 303');
is($res->header('Location'), '/reset/update', 'to PwResetUpdateURL');
my $cookie = $res->header('Set-Cookie') // '';
like($cookie, qr/^pwreset_form=[\w.-]+; Path=\/reset\/update; Max-Age=600; HttpOnly; SameSite=Lax$/, 'form cookie with its attributes');
# a GET changes nothing: a second click still works
is(browser()->get($link)->code, 303, 'link can be opened again');

# 4. the form
$res = $ua->get(url('/reset/update'));
is($res->code, 200, 'new-password form');
like($res->content, qr/<input id="username" type="text" value="alice" readonly autocomplete="username">/, 'read-only username without a name');
like($res->content, qr/name="password"[^>]*autocomplete="new-password"/, 'password field');
like($res->content, qr/name="confirm"[^>]*autocomplete="new-password"/, 'confirm field');

# 5. the update
$res = $ua->request(POST url('/reset/update'),
    [password => 'a brand new passphrase', confirm => 'a brand new passphrase']);
is($res->code, 200, 'password changed');
like($res->content, qr/Password changed/, 'success page');
is($res->header('Set-Cookie') // '', 'pwreset_form=; Path=/reset/update; Max-Age=0; HttpOnly; SameSite=Lax', 'form cookie cleared with the same attributes');
my $new_hash = user_hash('alice');
like($new_hash, qr/^\$2y\$04\$/, 'stored as bcrypt $2y$ at PwResetBcryptCost');
ok $new_hash ne $old_hash, 'hash replaced';

# the notice
@mails = wait_mails(2);
my ($notice) = grep { $_->{headers}{subject}[0] eq 'Your password for localhost was changed' } @mails;
ok $notice, 'password-changed notice mailed';
is($notice ? $notice->{headers}{to}[0] : '', 'Alice@Example.org', 'notice to the stored address');
is($notice ? ($notice->{text} =~ /token=/ ? 1 : 0) : 1, 0, 'notice carries no token');
like($notice ? $notice->{text} : '', qr/127\.0\.0\.1/, 'notice names the client address');
my $again = url('/reset/request');
like($notice ? $notice->{text} : '', qr/\Q$again\E/, 'notice says where to ask again, as an absolute URL');

# afterwards: new password in, old one out
is($ua->get($private, Authorization => basic('alice', 'a brand new passphrase'))->code, 200, 'new password logs in through mod_authn_dbd');
is($ua->get($private, Authorization => basic('alice', 'old password of alice'))->code, 401, 'old password refused');

# the same link and the same form no longer work
is(browser()->get($link)->code, 400, 'link refused after the change');
$res = $ua->request(POST url('/reset/update'),
    [password => 'another new passphrase', confirm => 'another new passphrase']);
is($res->code, 400, 'second POST of the form refused');
is(user_hash('alice'), $new_hash, 'and changed nothing');

sub basic {
    require MIME::Base64;
    return 'Basic ' . MIME::Base64::encode_base64("$_[0]:$_[1]", '');
}
