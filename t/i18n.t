# SPDX-License-Identifier: Apache-2.0
# Languages, the site's name and its sender: pages and mails in English,
# German, French and Spanish, chosen by Accept-Language (q-values, English
# when none fits) or forced by PwResetLanguage; the reset mail in the
# language of the request, the notice in that of the update; known and
# unknown addresses answered with the same bytes in every language.
use strict;
use warnings FATAL => 'all';
use utf8;
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user clear_mail wait_mails link_in browser url);
use HTTP::Request::Common qw(POST GET);
use Encode qw(decode encode_utf8);
use MIME::Base64 qw(decode_base64);
use Time::HiRes qw(sleep);

plan tests => 37;

reset_users();
add_user('lena', 'lena@example.org', 'old password of lena');

sub page {
    my ($lang, $vhost) = @_;
    return browser()->request(GET url('/reset/request', $vhost),
        defined $lang ? ('Accept-Language' => $lang) : ());
}

my %h1 = (en => 'Forgot your password?', de => 'Passwort vergessen?',
          fr => "Mot de passe oubli\x{e9}\x{202f}?", es => '¿Ha olvidado su contraseña?');
for my $lang (sort keys %h1) {
    my $res = page($lang);
    my $html = decode('UTF-8', $res->content);
    like($html, qr/<html lang="$lang">/, "$lang: the lang attribute");
    like($html, qr/<h1>\Q$h1{$lang}\E<\/h1>/, "$lang: the heading");
}
my $res = page('fr;q=0.9, es;q=0.95, de;q=0.1');
like($res->content, qr/<html lang="es">/, 'q-values: the highest wins');
like(page('ja, zh;q=0.8')->content, qr/<html lang="en">/, 'none there is: English');
like(page('de-AT')->content, qr/<html lang="de">/, 'de-AT: German');
like(page(undef)->content, qr/<html lang="en">/, 'no Accept-Language: English');
like($res->header('Vary') // '', qr/Accept-Language/, 'negotiated: Vary: Accept-Language');

# Forced: PwResetLanguage de, whatever the browser says; nothing to vary.
$res = page('fr', 'pwreset_german');
like($res->content, qr/<html lang="de">/, 'PwResetLanguage de: German');
unlike($res->header('Vary') // '', qr/Accept-Language/, '  and no Vary: Accept-Language');

# Known and unknown addresses: the same bytes, language by language.
for my $lang (qw(en de fr es)) {
    my @bodies = map {
        browser()->request(POST url('/reset/request'), 'Accept-Language' => $lang,
                           Content => [email => $_])->content
    } 'lena@example.org', 'nobody@example.org';
    is($bodies[0], $bodies[1], "$lang: the same answer for a known and an unknown address");
}

# The reset mail speaks the language of the request that asked for it.
sleep 1; # the mails of the requests above go out first
clear_mail();
browser()->request(POST url('/reset/request'), 'Accept-Language' => 'de',
                   Content => [email => 'lena@example.org']);
my ($mail) = wait_mails(1);
ok($mail, 'a German request: a mail');
my $subject = $mail ? $mail->{headers}{subject}[0] : '';
like($subject, qr/^=\?UTF-8\?B\?[A-Za-z0-9+\/=]+\?=(?:\s+=\?UTF-8\?B\?[A-Za-z0-9+\/=]+\?=)*$/,
     'the subject is RFC 2047-encoded (it is not ASCII)');
my $decoded = join '', map { decode('UTF-8', decode_base64($_)) } $subject =~ /=\?UTF-8\?B\?([^?]+)\?=/g;
is($decoded, 'Passwort für localhost zurücksetzen', 'and says it in German');
# Lines are wrapped at 72 characters: compare the words.
sub flat { my ($t) = @_; $t = decode('UTF-8', $t // ''); $t =~ s/\s+/ /g; $t }
my $text = $mail ? flat($mail->{text}) : '';
like($text, qr/Jemand, wahrscheinlich Sie, hat das Zurücksetzen des Passworts für das Konto „lena“ bei localhost angefordert/,
     'the text is German');
like($text, qr/innerhalb von 30 Minuten:/, 'with the plural it needs');
like($mail ? $mail->{html} : '', qr/<html lang="de">/, 'the HTML part says lang="de"');
is($mail ? $mail->{headers}{'content-transfer-encoding'}[0] : '', '8bit', 'labelled 8bit');

# The notice speaks the language of the update.
my $link = link_in($mail ? $mail->{text} : '');
my $ua = browser();
$ua->get($link);
$res = $ua->request(POST url('/reset/update'), 'Accept-Language' => 'fr',
    Content => [password => 'une phrase de passe neuve et longue',
                confirm  => 'une phrase de passe neuve et longue']);
is($res->code, 200, 'a French update');
like(decode('UTF-8', $res->content), qr/<h1>Mot de passe modifié<\/h1>/, '  answered in French');
my @mails = wait_mails(2);
my ($notice) = grep { flat($_->{text}) =~ /a été modifié/ } @mails;
ok($notice, 'the notice is French');
like($notice ? flat($notice->{text}) : '',
     qr/Le mot de passe du compte «.lena.» sur localhost a été modifié le \d{4}-\d\d-\d\d \d\d:\d\d UTC depuis l’adresse 127\.0\.0\.1\./,
     '  with the date and the client address');

# The site's own name, in pages and in the From header.
$res = page('en', 'pwreset_shop');
my $html = decode('UTF-8', $res->content);
like($html, qr/<title>Forgot your password\? – Bäckerei Müller<\/title>/, 'PwResetSiteName in the title');
sleep 1;
like($html, qr/<p class="site">Bäckerei Müller<\/p>/, '  and above the heading');
clear_mail();
browser()->request(POST url('/reset/request', 'pwreset_shop'), Content => [email => 'lena@example.org']);
($mail) = wait_mails(1);
my $from = $mail ? $mail->{headers}{from}[0] : '';
like($from, qr/^=\?UTF-8\?B\?[^?]+\?= <no-reply\@example\.org>$/, 'From: an encoded name and the address');
my ($name) = $from =~ /=\?UTF-8\?B\?([^?]+)\?=/;
is(decode('UTF-8', decode_base64($name // '')), 'Bäckerei Müller', '  the name decodes');
$subject = $mail ? $mail->{headers}{subject}[0] : '';
$decoded = join '', map { decode('UTF-8', decode_base64($_)) } $subject =~ /=\?UTF-8\?B\?([^?]+)\?=/g;
is($decoded, 'Reset your password for Bäckerei Müller', 'the subject names the site');
like($mail ? flat($mail->{text}) : '', qr/on Bäckerei Müller\./, 'so does the text');

# Every line of every part short enough for SMTP, whatever the language.
my $long = 0;
for my $m ($mail, @mails) {
    next unless $m;
    $long += grep { length > 998 } split /\n/, $m->{raw};
}
is($long, 0, 'no line over 998 bytes');
