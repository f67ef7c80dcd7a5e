# SPDX-License-Identifier: Apache-2.0
# The form cookie on https: named __Secure-pwreset_form and Secure, so that
# a page on plain http cannot plant one; the plain name is not read there.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user make_token browser url);

plan tests => 9;

reset_users();
add_user('ines', 'ines@example.org', 'old password of ines');

my $res = browser()->get(url('/reset/link?token=' . make_token(sub => 'ines'), 'pwreset_https'));
is($res->code, 303, 'https: a good link');
my $cookie = $res->header('Set-Cookie') // '';
like($cookie, qr/^__Secure-pwreset_form=[\w.-]+; /, 'https: the cookie has the __Secure- prefix');
like($cookie, qr/; Secure$/, 'https: and the Secure attribute');
like($cookie, qr/; Path=\/reset\/update; .*HttpOnly; SameSite=Lax/, 'https: and the usual attributes');

my $form = make_token(sub => 'ines', purpose => 'form');
is(browser()->get(url('/reset/update', 'pwreset_https'),
                  Cookie => "__Secure-pwreset_form=$form")->code, 200,
   'https: the prefixed cookie opens the form');
is(browser()->get(url('/reset/update', 'pwreset_https'),
                  Cookie => "pwreset_form=$form")->code, 400,
   'https: the plain name is not read');

# plain http keeps the plain name, without Secure
$res = browser()->get(url('/reset/link?token=' . make_token(sub => 'ines')));
like($res->header('Set-Cookie') // '', qr/^pwreset_form=[\w.-]+; .*SameSite=Lax$/,
     'http: the plain name, no Secure');
is(browser()->get(url('/reset/update'), Cookie => "__Secure-pwreset_form=$form")->code,
   400, 'http: the prefixed name is not read');
is(browser()->get(url('/reset/update'), Cookie => "pwreset_form=$form")->code,
   200, 'http: the plain name is');
