# SPDX-License-Identifier: Apache-2.0
# README.md's example of an existing table with other names: the three
# PwReset*Query directives pointed at it, set in a virtual host, and the
# whole flow works on it while the main server keeps the default table.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users db hash_password wait_mails link_in browser url);
use HTTP::Request::Common qw(POST);
use URI;

plan tests => 8;

reset_users();
db()->do('DELETE FROM accounts');
db()->do('INSERT INTO accounts (login, mail, pwhash) VALUES (?, ?, ?)', undef,
         'kim', 'kim@example.org', hash_password('old password of kim'));
sub pwhash { (db()->selectrow_array('SELECT pwhash FROM accounts WHERE login = ?', undef, $_[0]))[0] }
my $old = pwhash('kim');

my $res = browser()->request(POST url('/reset/request', 'pwreset_accounts'), [email => 'KIM@example.org']);
is($res->code, 200, 'request on the custom table');
my ($mail) = wait_mails(1);
is($mail->{headers}{to}[0], 'kim@example.org', 'mailed to the address stored in accounts.mail');
my $link = URI->new(link_in($mail->{text} // ''));

my $ua = browser();
$res = $ua->get(url('/reset/link?' . $link->query, 'pwreset_accounts'));
is($res->code, 303, 'the link is accepted (found by accounts.login)');
$res = $ua->get(url('/reset/update', 'pwreset_accounts'));
like($res->content, qr/value="kim" readonly/, 'the form names the account');
$res = $ua->request(POST url('/reset/update', 'pwreset_accounts'),
    [password => 'kim chose this new one', confirm => 'kim chose this new one']);
is($res->code, 200, 'the update succeeds');
isnt(pwhash('kim'), $old, 'accounts.pwhash changed');
like(pwhash('kim'), qr/^\$2y\$04\$/, 'to a bcrypt hash');
# the main server's default queries know nothing of that table
is(browser()->get(url('/reset/link?' . $link->query))->code, 400,
   'the main server (table users) does not know kim');
