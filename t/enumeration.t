# SPDX-License-Identifier: Apache-2.0
# A registered and an unregistered address get the same answer: status,
# the headers that matter and every byte of the body.  Only the mailbox
# tells them apart.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user wait_mails mail_files browser url);
use HTTP::Request::Common qw(POST);
use Time::HiRes qw(sleep);

plan tests => 12;

reset_users();
add_user('dave', 'dave@example.org', 'password of dave');

my $known   = browser()->request(POST url('/reset/request'), [email => 'dave@example.org']);
my $unknown = browser()->request(POST url('/reset/request'), [email => 'nobody@example.org']);
# a typed spelling that only Unicode folding would match is just unknown
my $dotless = browser()->request(POST url('/reset/request'), [email => "dav\x{131}\@example.org"]);

is($known->code, 200, 'known address: 200');
is($unknown->code, $known->code, 'same status');
is($unknown->content, $known->content, 'same body bytes');
is($dotless->content, $known->content, 'same body for a dotless-i spelling');
for my $h (qw(Content-Type Content-Length Cache-Control Content-Security-Policy
              Referrer-Policy Set-Cookie)) {
    is($unknown->header($h) // '', $known->header($h) // '', "same $h");
}

my @mails = wait_mails(1);
sleep 1; # give a wrong second message time to show up
@mails = map { PwResetTest::parse_mail($_) } mail_files();
is(scalar @mails, 1, 'exactly one message: to the known account');
is($mails[0]{headers}{to}[0], 'dave@example.org', 'to its stored address');
