# SPDX-License-Identifier: Apache-2.0
# Bad input of every kind gets a clear 4xx (or the neutral page) and changes
# nothing: no row of the user table, no mail.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user db make_token browser url wait_mails
    mail_files clear_mail);
use HTTP::Request::Common qw(POST);
use Time::HiRes qw(sleep);

plan tests => 74;

reset_users();
add_user('erin', 'erin@example.org', 'password of erin');
add_user('mike', 'mike@example.org', 'password of mike');

sub table { join "\n", map { join '|', @$_ }
    @{ db()->selectall_arrayref('SELECT * FROM users ORDER BY username') } }
my $before = table();

sub raw_post {
    my ($path, $body, %h) = @_;
    my $ua = browser();
    my $req = HTTP::Request->new(POST => url($path));
    $req->header('Content-Type' => $h{type} // 'application/x-www-form-urlencoded');
    $req->header(Cookie => $h{cookie}) if $h{cookie};
    $req->header(Host => $h{host}) if $h{host};
    $req->content($body);
    return $ua->request($req);
}

# --- the request form --------------------------------------------------
my @request_cases = (
    ['',                              400, 'an empty body'],
    ['x=1',                           400, 'no email field'],
    ['email=erin%40example.org&email=mike%40example.org', 400, 'email given twice'],
    ['email[]=erin%40example.org',    400, 'email[]'],
    ['email=erin%40example.org&extra=1', 400, 'an extra field'],
    ['email=',                        400, 'an empty address'],
    ['email=+++',                     400, 'only spaces'],
    ['email=erin.example.org',        400, 'no @'],
    ['email=erin%40example.org%0D%0ABcc%3A+mike%40example.org', 400, 'CR/LF in the address'],
    ['email=erin%40example.org%0A',   400, 'LF at the end'],
    ['email=erin%00%40example.org',   400, '%00 in the address'],
    ['email=erin%40example.org%00mike%40example.org', 400, 'NUL between two addresses'],
    ['email=erin%C2%85%40example.org', 400, 'a C1 control (U+0085 NEXT LINE)'],
    ['email=erin%C2%9F%40example.org', 400, 'a C1 control (U+009F)'],
    ['email=%FF%FE%40example.org',    400, 'invalid UTF-8'],
    ['email=%C0%AF%40example.org',    400, 'overlong UTF-8'],
    ['email=' . ('a' x 250) . '%40example.org', 400, 'an address over 254 bytes'],
    ['email=erin%40example.org%2C+mike%40example.org', 400, 'two addresses'],
    ['email=%E0%A4%ZZ',               400, 'a broken escape'],
);
for my $c (@request_cases) {
    my ($body, $status, $name) = @$c;
    my $res = raw_post('/reset/request', $body);
    is($res->code, $status, "request: $name");
    like($res->content, qr/<p class="msg" role="alert"[^>]*>/, "  explains why");
}
my $res = raw_post('/reset/request', 'email=erin%40example.org', type => 'text/plain');
is($res->code, 415, 'request: text/plain');
is($res->header('Connection') // '', 'close', '  closes the connection instead of reading the body');
$res = raw_post('/reset/request', "--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nerin\@example.org\r\n--x--\r\n",
                type => 'multipart/form-data; boundary=x');
is($res->code, 415, 'request: multipart/form-data');
$res = raw_post('/reset/request', 'email=erin%40example.org', type => '');
is($res->code, 415, 'request: no content type');
$res = raw_post('/reset/request', 'email=' . ('a' x 10_000) . '%40example.org');
is($res->code, 413, 'request: an oversized body');
is($res->header('Connection') // '', 'close', '  closes the connection');
like($res->content, qr/too large/, '  explains why');
$res = browser()->request(HTTP::Request->new(PUT => url('/reset/request')));
is($res->code, 405, 'request: PUT');
like($res->header('Allow') // '', qr/^GET, HEAD, POST$/, '  with Allow');

sleep 1;
is(scalar(mail_files()), 0, 'no mail for any of them');

# --- Host header poisoning: the link comes from PwResetLinkURL ----------
$res = raw_post('/reset/request', 'email=erin%40example.org', host => 'evil.example');
is($res->code, 200, 'request with a foreign Host header: the neutral page');
my ($mail) = wait_mails(1);
my $expected = url('/reset/link');
like($mail->{text} // '', qr/\Q$expected\E\?token=/, 'the link still points at PwResetLinkURL');
unlike($mail->{raw} // '', qr/evil\.example/, 'the Host header is nowhere in the mail');
clear_mail();

# --- the update form ---------------------------------------------------
my $cookie = 'pwreset_form=' . make_token(sub => 'erin', purpose => 'form');
my @update_cases = (
    ['password=a+long+new+password',                       400, 'no confirm'],
    ['password=a+long+new+password&confirm=a+long+new+password&password=x', 400, 'password twice'],
    ['password=a+long+new+password&confirm=a+long+new+password&user=mike', 400, 'an extra field'],
    ['password=a+long%00new+password&confirm=a+long%00new+password', 400, 'NUL in the password'],
    ['password=a+long%FFnew+password&confirm=a+long%FFnew+password', 422, 'invalid UTF-8 in the password'],
    ['password=a+long%0Anew+password&confirm=a+long%0Anew+password', 422, 'a control character in the password'],
    ['password=a+long%C2%85new+password&confirm=a+long%C2%85new+password', 422, 'a C1 control in the password'],
);
for my $c (@update_cases) {
    my ($body, $status, $name) = @$c;
    $res = raw_post('/reset/update', $body, cookie => $cookie);
    is($res->code, $status, "update: $name");
    like($res->content, qr/<p class="msg" role="alert"[^>]*>.+<\/p>/, '  explains why');
}
$res = raw_post('/reset/update', 'password=a+long+new+password&confirm=a+long+new+password',
                cookie => $cookie, type => 'text/plain');
is($res->code, 415, 'update: text/plain');
$res = raw_post('/reset/update', 'password=' . ('a' x 10_000), cookie => $cookie);
is($res->code, 413, 'update: an oversized body');
$res = raw_post('/reset/update', 'password=a+long+new+password&confirm=a+long+new+password',
                cookie => 'pwreset_form=garbage');
is($res->code, 400, 'update: a garbage cookie');
$res = browser()->request(HTTP::Request->new(DELETE => url('/reset/update'), [Cookie => $cookie]));
is($res->code, 405, 'update: DELETE');

# --- the link ----------------------------------------------------------
$res = browser()->request(POST url('/reset/link?token=' . make_token(sub => 'erin')), []);
is($res->code, 405, 'link: POST is not allowed');
my $t = make_token(sub => 'erin');
is(browser()->get(url("/reset/link?token=$t&email=x"))->code, 400, 'link: an extra parameter');
is(browser()->get(url("/reset/link?token=$t%00"))->code, 400, 'link: %00 after the token');

is(table(), $before, 'the user table is unchanged');
sleep 0.5;
is(scalar(mail_files()), 0, 'and no mail was sent');
