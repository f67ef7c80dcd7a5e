# SPDX-License-Identifier: Apache-2.0
# PwResetTemplateDir: an admin's pages and mails in place of the built-in
# ones, per language when a subfolder says so, values escaped, <style>
# allowed by its hash in the Content-Security-Policy, the site's own
# sources added to it.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user clear_mail wait_mails browser url);
use HTTP::Request::Common qw(POST GET);
use Digest::SHA qw(sha256_base64);
use Time::HiRes qw(sleep);

plan tests => 14;

reset_users();
add_user('tina', 'tina@example.org', 'old password of tina');

my $res = browser()->request(GET url('/reset/request', 'pwreset_styled'));
my $html = $res->content;
like($html, qr/data-template="styled"/, 'the template is used');
like($html, qr/<title>Forgot your password\? · Example Shop<\/title>/, 'with its placeholders filled');
like($html, qr/aria-invalid="false"/, 'no problem yet');
my ($style) = $html =~ /<style>(.*?)<\/style>/s;
my $hash = sha256_base64($style // '') . '=';
my $csp = $res->header('Content-Security-Policy') // '';
like($csp, qr/style-src [^;]*'sha256-\Q$hash\E'/, "its <style> is allowed by its hash");
like($csp, qr/img-src https:\/\/cdn\.example\.org/, 'and the site\'s image source added');
like($csp, qr/^default-src 'none';.*form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
     'the rest of the policy stays');

$res = browser()->request(POST url('/reset/request', 'pwreset_styled'), Content => [email => 'not<b>an</b>address']);
is($res->code, 400, 'a refused address');
like($res->content, qr/<p class="problem" id="problem" role="alert">That is not a valid email address\.<\/p>/,
     '  the message in the template');
like($res->content, qr/aria-invalid="true"/, '  tied to the field');

$res = browser()->request(GET url('/reset/request', 'pwreset_styled'), 'Accept-Language' => 'de');
like($res->content, qr/data-template="styled-de"/, 'de/request.html for a German browser');
like($res->content, qr/<title>Passwort vergessen\? · Example Shop<\/title>/, '  the title in German');

$res = browser()->request(GET url('/reset/update', 'pwreset_styled'));
like($res->content, qr/<h1>This link is invalid or has expired<\/h1>/, 'a page without a template: the built-in one');

clear_mail();
browser()->request(POST url('/reset/request', 'pwreset_styled'), Content => [email => 'tina@example.org']);
my ($mail) = wait_mails(1);
like($mail ? $mail->{text} : '', qr/^Hello tina,\n\nsomeone asked Example Shop .*within 30 minutes.*\nhttp:\/\/\S+token=\S+\n.*from a template\n+\z/s,
     'the reset mail\'s text part from reset.txt');
like($mail ? $mail->{html} : '', qr/Someone, probably you/, 'its HTML part built in (no reset.html)');
