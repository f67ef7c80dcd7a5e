# SPDX-License-Identifier: Apache-2.0
# Every response of the three handlers, refusals and redirects included,
# carries the security headers, and every page is valid HTML5 (Debian's
# tidy) whose one inline stylesheet is the one the CSP allows by hash.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash make_token browser url);
use HTTP::Request::Common qw(POST GET);
use Digest::SHA qw(sha256_base64);
use File::Temp qw(tempfile);

reset_users();
add_user('gina', 'gina@example.org', 'password of gina');

my $form = sub { 'pwreset_form=' . make_token(sub => 'gina', purpose => 'form',
                                              hash => user_hash('gina')) };
my $form_type = 'application/x-www-form-urlencoded';
my @cases = (
    ['request form',        sub { GET url('/reset/request') }],
    ['request HEAD',        sub { HTTP::Request->new(HEAD => url('/reset/request')) }],
    ['request sent',        sub { POST url('/reset/request'), [email => 'gina@example.org'] }],
    ['request 400',         sub { POST url('/reset/request'), [email => 'nope'] }],
    ['request 415',         sub { POST url('/reset/request'), 'Content-Type' => 'text/plain', Content => 'x' }],
    ['request 413',         sub { POST url('/reset/request'), 'Content-Type' => $form_type, Content => 'x' x 9000 }],
    ['request 405',         sub { HTTP::Request->new(PUT => url('/reset/request')) }],
    ['link 303',            sub { GET url('/reset/link?token=' . make_token(sub => 'gina')) }],
    ['link 400',            sub { GET url('/reset/link?token=x') }],
    ['link 405',            sub { POST url('/reset/link'), [] }],
    ['update form',         sub { GET url('/reset/update'), Cookie => $form->() }],
    ['update 400',          sub { GET url('/reset/update') }],
    ['update 422',          sub { POST url('/reset/update'), Cookie => $form->(), Content => [password => 'short', confirm => 'short'] }],
    ['update 415',          sub { POST url('/reset/update'), Cookie => $form->(), 'Content-Type' => 'text/plain', Content => 'x' }],
    ['update 405',          sub { HTTP::Request->new(PUT => url('/reset/update'), [Cookie => $form->()]) }],
    ['update done',         sub { POST url('/reset/update'), Cookie => $form->(), Content => [password => 'a new password for gina', confirm => 'a new password for gina'] }],
);

plan tests => @cases * 9 + 2;

my $csp;
for my $c (@cases) {
    my ($name, $make) = @$c;
    my $res = browser()->request($make->());
    is($res->header('Cache-Control'), 'no-store', "$name: Cache-Control");
    is($res->header('Referrer-Policy'), 'no-referrer', "$name: Referrer-Policy");
    is($res->header('X-Content-Type-Options'), 'nosniff', "$name: X-Content-Type-Options");
    like($res->header('Content-Security-Policy') // '',
         qr/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+\/]+=*'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
         "$name: Content-Security-Policy");
    $csp //= $res->header('Content-Security-Policy');
    is($res->header('Content-Type'), 'text/html; charset=utf-8', "$name: Content-Type");
    if ($res->request->method eq 'HEAD') {
        is($res->content, '', "$name: no body");
        ok(1, "$name: (no page to validate)") for 1 .. 3;
        next;
    }
    my $html = $res->content;
    my ($style) = $html =~ m{<style>(.*?)</style>}s;
    my $hash = sha256_base64($style // '');
    like($res->header('Content-Security-Policy') // '', qr/'sha256-\Q$hash\E=*'/,
         "$name: the CSP hash is the stylesheet's");
    like($html, qr/\A<!DOCTYPE html>\n<html lang="en">/, "$name: an HTML5 document");
    my ($errors, $status) = tidy($html);
    is($status, 0, "$name: tidy finds nothing") or diag($errors);
    my @inputs = $html =~ /<input\b[^>]*>/g;
    my @unlabelled = grep { my ($id) = /id="([^"]+)"/; !$id || $html !~ /<label for="\Q$id\E">/ } @inputs;
    is(scalar @unlabelled, 0, "$name: every field has a label");
}

like($csp, qr/sha256-/, 'a CSP was seen');
is(scalar(() = $csp =~ /unsafe-inline/), 0, 'no unsafe-inline');

# tidy 5.6 (Debian 12) predates the HTML5 attribute "minlength" and calls
# it proprietary; it is valid HTML5, so it is taken out before tidy looks.
sub tidy {
    my ($html) = @_;
    $html =~ s/ minlength="\d+"//g;
    my ($fh, $file) = tempfile(SUFFIX => '.html', UNLINK => 1);
    binmode $fh;
    print $fh $html;
    close $fh;
    my $out = `tidy -q -e --show-warnings yes "$file" 2>&1`;
    return ($out, $? >> 8);
}
