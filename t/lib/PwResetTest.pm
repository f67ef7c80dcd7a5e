# SPDX-License-Identifier: Apache-2.0
package PwResetTest;
# Helpers shared by the tests: the user table, the captured mail, forged
# tokens built the way docs/DESIGN.md describes them, and a browser-like client.
use strict;
use warnings FATAL => 'all';
use Exporter 'import';
use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);
use DBI;
use Digest::SHA qw(sha256 hmac_sha256 hmac_sha512);
use MIME::Base64 qw(encode_base64 decode_base64);
use MIME::QuotedPrint qw(decode_qp);
use JSON::PP;
use Time::HiRes qw(sleep time);

our @EXPORT_OK = qw(t_dir db add_user user_hash reset_users clear_mail
    mail_files wait_mails parse_mail link_in key_bytes kid fingerprint
    breached_passwords
    make_token browser url hash_password log_text wait_log ask_reset
    slow_factor);

my $T = abs_path(File::Spec->catdir(dirname(__FILE__), '..'));

# Under valgrind ("make check-valgrind") httpd runs many times slower, and
# the delivery thread, at the lowest priority, slower still on a busy
# machine: what the tests wait for gets four times as long.
my $slow = ($ENV{PWRESET_TEST_UNDER} // '') eq 'valgrind' ? 4 : 1;
sub slow_factor { $slow }

sub t_dir     { $T }
sub db_path   { "$T/var/users.db" }
sub mail_dir  { "$T/var/mail" }

# Create the state the server needs before it starts.
sub setup_state {
    mkdir "$T/var";
    mkdir mail_dir();
    my $schema = do {
        local $/;
        open my $fh, '<', "$T/../conf/schema.sql" or die "schema.sql: $!";
        <$fh>;
    };
    my $dbh = db();
    $dbh->do($_) for grep { /\S/ } split /;\s*$/m, $schema;
    # Another table, for the custom-query tests (README.md's example).
    $dbh->do('CREATE TABLE IF NOT EXISTS accounts (login TEXT PRIMARY KEY, '
             . 'mail TEXT NOT NULL, pwhash TEXT NOT NULL)');
    # A breached-password corpus: the SHA-1 of a few passphrases among
    # random ones, sorted, CRLF as the download has it.
    {
        my @lines = map { uc(Digest::SHA::sha1_hex($_)) . ':' . (1 + length $_) }
            breached_passwords();
        push @lines, map { uc(Digest::SHA::sha1_hex("random filler $_")) . ":$_" } 1 .. 2000;
        open my $out, '>', "$T/var/breached.txt" or die "breached.txt: $!";
        print $out map { "$_\r\n" } sort @lines;
        close $out;
    }
    # A virtual host's own database: a login table of its own, without
    # the email column our default statements read.
    unlink "$T/var/own.db";
    my $own = DBI->connect("dbi:SQLite:dbname=$T/var/own.db", '', '',
        { RaiseError => 1 });
    $own->do('CREATE TABLE users (username TEXT PRIMARY KEY, password TEXT NOT NULL)');
    $own->do('INSERT INTO users VALUES (?, ?)', undef, 'olga',
        hash_password('olga member password'));
}

# Passphrases the rules would let through, but the breached list has.
sub breached_passwords {
    return ('a violet kettle of drums', 'correct horse battery staple',
            'Tr0ub4dor&3 is not safe either');
}

sub db {
    my $dbh = DBI->connect('dbi:SQLite:dbname=' . db_path(), '', '',
        { RaiseError => 1, AutoCommit => 1, PrintError => 0 });
    $dbh->sqlite_busy_timeout(10_000);
    return $dbh;
}

sub hash_password {
    my ($password) = @_;
    open my $fh, '-|', 'htpasswd', '-nbB', '-C', '4', 'x', $password
        or die "htpasswd: $!";
    my $line = <$fh>;
    close $fh;
    chomp $line;
    $line =~ s/^x://;
    return $line;
}

sub add_user {
    my ($name, $email, $password) = @_;
    db()->do('INSERT OR REPLACE INTO users (username, email, password) '
        . 'VALUES (?, ?, ?)', undef, $name, $email, hash_password($password));
}

sub user_hash {
    my ($name) = @_;
    my ($h) = db()->selectrow_array(
        'SELECT password FROM users WHERE username = ?', undef, $name);
    return $h;
}

sub reset_users {
    db()->do('DELETE FROM users');
    clear_mail();
}

sub clear_mail {
    unlink glob(mail_dir() . '/*.eml');
}

sub mail_files {
    my @files = sort glob(mail_dir() . '/*.eml');
    return @files; # a count in scalar context
}

# Wait until at least $n messages are there; the module mails from a
# background thread, after the response.
sub wait_mails {
    my ($n, $timeout) = @_;
    my $until = time + $slow * ($timeout // 15);
    my @files;
    while (1) {
        @files = mail_files();
        last if @files >= $n || time > $until;
        sleep 0.05;
    }
    return map { parse_mail($_) } @files;
}

sub parse_headers {
    my ($text) = @_;
    $text =~ s/\n[ \t]+/ /g;
    my (%h, @order);
    for my $line (split /\n/, $text) {
        my ($k, $v) = $line =~ /^([^:]+):\s*(.*)$/ or next;
        push @order, $k;
        push @{ $h{lc $k} }, $v;
    }
    return (\%h, \@order);
}

sub parse_mail {
    my ($file) = @_;
    my $raw = do { local $/; open my $fh, '<', $file or die $!; <$fh> };
    my ($head, $body) = split /\n\n/, $raw, 2;
    my ($h, $order) = parse_headers($head);
    my %mail = (file => $file, raw => $raw, head => $head, headers => $h,
                order => $order);
    my ($boundary) = ($h->{'content-type'}[0] // '') =~ /boundary="([^"]+)"/;
    if ($boundary) {
        for my $part (split /^--\Q$boundary\E(?:--)?\n/m, $body) {
            my ($ph, $pb) = split /\n\n/, $part, 2;
            next unless defined $pb;
            my ($phh) = parse_headers($ph);
            my $ct = $phh->{'content-type'}[0] // '';
            my $te = $phh->{'content-transfer-encoding'}[0] // '';
            my $decoded = lc $te eq 'quoted-printable' ? decode_qp($pb) : $pb;
            $mail{text} = $decoded if $ct =~ m{^text/plain};
            $mail{html} = $decoded if $ct =~ m{^text/html};
            push @{ $mail{parts} }, { headers => $phh, body => $decoded };
        }
    }
    return \%mail;
}

sub link_in {
    my ($text) = @_;
    my ($link) = $text =~ m{(https?://\S+?token=[A-Za-z0-9._-]+)};
    return $link;
}

sub key_bytes {
    my ($name) = @_;
    my $bytes = do {
        local $/;
        open my $fh, '<', "$T/conf/keys/$name.key" or die "$name.key: $!";
        <$fh>;
    };
    $bytes =~ s/\n\z//;
    return $bytes;
}

sub b64url {
    my ($data) = @_;
    my $b = encode_base64($data, '');
    $b =~ tr{+/}{-_};
    $b =~ s/=+\z//;
    return $b;
}

sub kid { b64url(substr(sha256('mod_pwreset kid v1' . $_[0]), 0, 12)) }

sub fingerprint {
    my ($key, $hash) = @_;
    my $fp_key = hmac_sha256('mod_pwreset fingerprint v1', $key);
    return b64url(substr(hmac_sha256($hash, $fp_key), 0, 16));
}

# A token as the module makes it, with any part overridden:
#   make_token(key => 'current', sub => 'alice', purpose => 'link',
#              hash => ..., exp => ..., alg => 'HS512', header => {...},
#              claims => {...}, drop => ['exp'])
sub make_token {
    my (%a) = @_;
    my $key = key_bytes($a{key} // 'current');
    my $now = time;
    my %header = (typ => 'JWT', alg => $a{alg} // 'HS256', kid => kid($key));
    my %claims = (
        sub => $a{sub} // 'alice',
        iat => int($now),
        exp => exists $a{exp} ? $a{exp} : int($now) + 600,
        pwr => $a{purpose} // 'link',
        pwh => fingerprint($key, $a{hash} // user_hash($a{sub} // 'alice')),
    );
    %header = (%header, %{ $a{header} || {} });
    %claims = (%claims, %{ $a{claims} || {} });
    delete $claims{$_} for @{ $a{drop} || [] };
    my $json = JSON::PP->new->canonical;
    my $input = b64url($json->encode(\%header)) . '.'
              . b64url($json->encode(\%claims));
    my $alg = $header{alg};
    my $sig = $alg eq 'HS256' ? hmac_sha256($input, $key)
            : $alg eq 'HS512' ? hmac_sha512($input, $key)
            : '';
    return $input . '.' . b64url($sig);
}

# A client that behaves like a browser for our purposes: keeps cookies,
# never follows redirects (the tests look at them).
# POST an address to a request page at $url, as a browser's form would
# (UTF-8, percent-encoded); the response.
sub ask_reset {
    my ($ua, $url, $email) = @_;
    require HTTP::Request;
    require URI::Escape;
    my $req = HTTP::Request->new(POST => $url);
    $req->header('Content-Type' => 'application/x-www-form-urlencoded');
    $req->content('email=' . URI::Escape::uri_escape_utf8($email));
    return $ua->request($req);
}

sub browser {
    require LWP::UserAgent;
    require HTTP::Cookies;
    my $ua = LWP::UserAgent->new(requests_redirectable => [],
        cookie_jar => HTTP::Cookies->new, timeout => 30);
    return $ua;
}

# Absolute URL of a path on the main server or on a named virtual host.
sub url {
    my ($path, $vhost) = @_;
    require Apache::TestRequest;
    Apache::TestRequest::module($vhost // 'default');
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    Apache::TestRequest::module('default');
    return "http://$hostport$path";
}

sub log_text {
    my ($name) = @_;
    open my $fh, '<', "$T/logs/$name" or return '';
    local $/;
    return <$fh>;
}

# Wait for a line matching $re to appear in the error log after offset $from.
sub wait_log {
    my ($re, $from, $timeout) = @_;
    my $until = time + $slow * ($timeout // 15);
    while (time <= $until) {
        my $text = substr(log_text('error_log'), $from // 0);
        return $1 // $& if $text =~ $re;
        sleep 0.05;
    }
    return undef;
}

1;
