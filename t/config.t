# SPDX-License-Identifier: Apache-2.0
# Start-up behaviour: the real httpd on small configurations of our own,
# checked with "apache2 -t" (configtest) or really started, outside the
# Apache::Test server.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use IO::Socket::INET;
use DBI;
use LWP::UserAgent;
use HTTP::Request::Common qw(POST);
use Time::HiRes qw(sleep time);

plan tests => 108;

my $T      = abs_path($FindBin::Bin);
my $httpd  = $ENV{APACHE_TEST_HTTPD} || '/usr/sbin/apache2';
my $mods   = '/usr/lib/apache2/modules';
my $so     = abs_path("$T/../.libs/mod_pwreset.so");
my $dir    = tempdir('pwreset-config-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $keys   = "$T/conf/keys";
my $secret = qq{PwResetSecretFile "$keys/current.key"};

# The user table, as conf/schema.sql makes it.
my $dbh = DBI->connect("dbi:SQLite:dbname=$dir/users.db", '', '',
    { RaiseError => 1, PrintError => 0 });
my $schema = do { local $/; open my $fh, '<', "$T/../conf/schema.sql" or die $!; <$fh> };
$dbh->do($_) for grep { /\S/ } split /;\s*$/m, $schema;
$dbh->disconnect;
mkdir "$dir/htdocs";
spew("$dir/htdocs/index.html", "static page\n");

sub spew { my ($f, $s) = @_; open my $fh, '>', $f or die "$f: $!"; print $fh $s; close $fh }

# Run a command; returns its exit status and stdout+stderr.
sub run {
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) { open STDERR, '>&', \*STDOUT; exec @_ or exit 127 }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    return ($? >> 8, $out);
}

# A minimal configuration around $body; nodbd => 1 leaves mod_dbd out.
sub free_port { IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0)->sockport }
my ($n, $port) = (0, free_port());
sub conf {
    my ($body, %o) = @_;
    my $dbd = $o{nodbd} ? '' : <<"EOF";
LoadModule dbd_module $mods/mod_dbd.so
DBDriver sqlite3
DBDParams "$dir/users.db"
EOF
    my $shmcb = $o{noshmcb} ? ''
        : "LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so\n";
    my $file = "$dir/httpd" . ++$n . '.conf';
    spew($file, <<"EOF");
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error.log"
DefaultRuntimeDir "$dir"
DocumentRoot "$dir/htdocs"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule pwreset_module "$so"
$shmcb$dbd$body
EOF
    return $file;
}

sub configtest { run($httpd, '-t', '-f', conf(@_), '-d', $dir) }

sub refused {
    my ($body, $re, $name) = @_;
    my ($rc, $out) = configtest($body);
    ok($rc != 0 && $out =~ $re, "refused: $name") or diag $out;
}

sub accepted {
    my ($body, $name) = @_;
    my ($rc, $out) = configtest($body);
    ok($rc == 0 && $out =~ /Syntax OK/, "accepted: $name") or diag $out;
}

sub error_log { open my $fh, '<', "$dir/error.log" or return ''; local $/; <$fh> }

# Start httpd for real on a free port; returns the base URL once the pid
# file is there, or undef once it gave up (its exit status or the log says).
my ($running, $start_output);
sub start {
    my ($body, %o) = @_;
    $port = free_port();
    my $file = conf($body, %o);
    unlink "$dir/error.log", "$dir/httpd.pid";
    my ($rc, $out) = run($httpd, '-f', $file, '-d', $dir, '-k', 'start');
    $start_output = $out;
    my $until = time + 15;
    while (time < $until) {
        return $running = [$file, "http://127.0.0.1:$port"] if -s "$dir/httpd.pid";
        last if $rc != 0 || error_log() =~ /Configuration Failed/;
        sleep 0.05;
    }
    return undef;
}

sub stop {
    return unless $running;
    my $pid = do { open my $fh, '<', "$dir/httpd.pid" or die $!; <$fh> };
    chomp $pid;
    run($httpd, '-f', $running->[0], '-d', $dir, '-k', 'stop');
    my $until = time + 15;
    sleep 0.05 while kill(0, $pid) && time < $until;
    undef $running;
}
END { local $?; stop() }

my $ua = LWP::UserAgent->new(timeout => 10);

# Key files written here are the admin's own: 0600.
umask 077;

# 1. PwResetSecretFile: readable, long enough, not listed twice.
refused("PwResetSecretFile $dir/none.key",
    qr/PwResetSecretFile: cannot read '\Q$dir\E\/none\.key'/, 'missing key file');
SKIP: {
    skip 'root reads any file', 1 if $> == 0;
    copy("$keys/current.key", "$dir/locked.key") or die $!;
    chmod 0, "$dir/locked.key";
    refused("PwResetSecretFile $dir/locked.key",
        qr/PwResetSecretFile: cannot read .*locked\.key.*denied/, 'unreadable key file');
}
refused("PwResetSecretFile $keys/short.key",
    qr/PwResetSecretFile: .*short\.key' holds 9 bytes of key; at least 32/, 'short key');
spew("$dir/k32.key", ('k' x 32) . "\n");
spew("$dir/k31.key", ('k' x 31) . "\n");
accepted("PwResetSecretFile $dir/k32.key", '32 bytes and a newline');
refused("PwResetSecretFile $dir/k31.key",
    qr/PwResetSecretFile: .*k31\.key' holds 31 bytes/, '31 bytes and a newline');
refused("$secret\n$secret", qr/PwResetSecretFile: .*current\.key' holds a key that is already listed/,
    'same file twice');
copy("$keys/current.key", "$dir/copy.key") or die $!;
refused("$secret\nPwResetSecretFile $dir/copy.key",
    qr/PwResetSecretFile: .*copy\.key' holds a key that is already listed/, 'same key, other path');

# 1b. A key file others may read or write is refused; the group may read.
spew("$dir/mode.key", ('m' x 40) . "\n");
for my $c ([0644, 'readable by every user'], [0604, 'readable by others only'],
           [0602, 'writable by others']) {
    my ($mode, $name) = @$c;
    chmod $mode, "$dir/mode.key";
    my $octal = sprintf '%04o', $mode;
    refused("PwResetSecretFile $dir/mode.key",
        qr/PwResetSecretFile: '.*mode\.key' may be read or written by every local user \(mode $octal\): chmod 600/,
        "a key file $name ($octal)");
}
chmod 0640, "$dir/mode.key";
accepted("PwResetSecretFile $dir/mode.key", 'a key file the group may read (0640)');

# 1c. PwResetBreachedList: Have I Been Pwned's SHA-1 corpus, checked at
#     start-up (present, readable, 40 hex digits a line, sorted).
{
    use Digest::SHA qw(sha1_hex);
    my @sorted = sort map { uc(sha1_hex("breached $_")) . ":$_" } 1 .. 300;
    spew("$dir/pwned-lf.txt", join('', map { "$_\n" } @sorted));
    spew("$dir/pwned-crlf.txt", join('', map { "$_\r\n" } @sorted));
    spew("$dir/pwned-unsorted.txt", join('', map { "$_\n" } reverse @sorted));
    spew("$dir/pwned-ntlm.txt", join('', map { substr($_, 0, 32) . ":1\n" } @sorted));
    spew("$dir/pwned-empty.txt", '');
    accepted("$secret\nPwResetBreachedList $dir/pwned-lf.txt", 'a breached list with LF');
    accepted("$secret\nPwResetBreachedList $dir/pwned-crlf.txt", 'a breached list with CRLF');
    refused("PwResetBreachedList $dir/none.txt",
        qr/PwResetBreachedList: cannot read '.*none\.txt': No such file/, 'a missing breached list');
    refused("PwResetBreachedList $dir/pwned-unsorted.txt",
        qr/PwResetBreachedList: .*pwned-unsorted\.txt' is not Have I Been Pwned's "SHA-1, ordered by hash" list: the lines are not sorted/,
        'an unsorted breached list');
    refused("PwResetBreachedList $dir/pwned-ntlm.txt",
        qr/PwResetBreachedList: .*not 40 hexadecimal digits.*NTLM/, 'an NTLM list');
    refused("PwResetBreachedList $dir/pwned-empty.txt",
        qr/PwResetBreachedList: .*is not a regular file with lines in it/, 'an empty file');
    SKIP: {
        skip 'root reads any file', 1 if $> == 0;
        chmod 0, "$dir/pwned-crlf.txt";
        refused("PwResetBreachedList $dir/pwned-crlf.txt",
            qr/PwResetBreachedList: cannot read .*Permission denied/, 'an unreadable list');
    }
}

# 1d. PwResetTemplateDir: read and checked at start-up; a broken template
#     stops httpd, naming the file and the line.
{
    my $tpl = "$dir/templates";
    mkdir $tpl; mkdir "$tpl/fr";
    spew("$tpl/request.html", "<p>{{message}}</p>\n");
    accepted("$secret\nPwResetTemplateDir $tpl", 'a template folder');
    spew("$tpl/fr/sent.html", "<p>ok</p>\n<p>{{username}}</p>\n");
    refused("PwResetTemplateDir $tpl",
        qr/PwResetTemplateDir: .*\/fr\/sent\.html: line 2: unknown placeholder \{\{username\}\} in sent\.html/,
        'a placeholder its file does not have');
    spew("$tpl/fr/sent.html", "<p>\n<b style=\"color:red\">x</b></p>\n");
    refused("PwResetTemplateDir $tpl", qr/sent\.html: line 2: a style attribute is refused/,
        'a style attribute');
    spew("$tpl/fr/sent.html", "<style>p{color:{{site}}}</style>\n");
    refused("PwResetTemplateDir $tpl", qr/sent\.html: line 1: a placeholder inside <style>/,
        'a placeholder inside <style>');
    unlink "$tpl/fr/sent.html";
    refused("PwResetTemplateDir $dir/none", qr/PwResetTemplateDir: '.*none' is not a folder/,
        'a missing folder');
    refused('PwResetContentSecurityPolicy "script-src https://cdn.example.org"',
        qr/PwResetContentSecurityPolicy: 'script-src': only style-src, img-src and font-src/,
        'script-src cannot be added to');
    refused(q{PwResetContentSecurityPolicy "style-src 'unsafe-inline'"},
        qr/PwResetContentSecurityPolicy: ''unsafe-inline'' is not a source that can be added/,
        "'unsafe-inline' is refused");
    accepted(qq{$secret\nPwResetContentSecurityPolicy "style-src https://cdn.example.org; img-src 'self' data:"},
        'style-src and img-src sources');
}

# 2. PwResetLinkURL: an absolute http(s) URL without a fragment.
for my $url ('reset/link', 'ftp://example.org/reset/link', 'http://',
             'https://example.org/reset/link#top') {
    refused("PwResetLinkURL $url",
        qr/PwResetLinkURL: '\Q$url\E' is not an absolute http/, "PwResetLinkURL $url");
}
accepted("$secret\nPwResetLinkURL https://example.org/reset/link", 'https link URL');
refused("PwResetLinkURL https://example.org/reset/link?lang=en",
    qr/PwResetLinkURL: '.*' must not have a query string/, 'a link URL with a query');

# 3. PwResetUpdateURL: a local path that can be a cookie Path.
for my $path ('reset/update', '/reset;update') {
    refused("PwResetUpdateURL $path",
        qr/PwResetUpdateURL: '\Q$path\E' must be a local path/, "PwResetUpdateURL $path");
}

# 4. Numbers: whole, in range, and the bounds themselves are fine.
my %range = (PwResetTokenLifetime => [1, 604800], PwResetFormLifetime => [1, 86400],
             PwResetMinLength => [8, 64], PwResetBcryptCost => [4, 15],
             PwResetSendmailTimeout => [1, 3600]);
for my $d (sort keys %range) {
    my ($lo, $hi) = @{ $range{$d} };
    for my $v ($lo - 1, $hi + 1, '12abc') {
        refused("$d $v", qr/$d: '\Q$v\E' is not a whole number from $lo to $hi/, "$d $v");
    }
    accepted("$secret\n$d $lo", "$d $lo");
    accepted("$secret\n$d $hi", "$d $hi");
}

# 5. One From address; a sendmail given by absolute path.
refused('PwResetMailFrom "a@b.org, c@d.org"',
    qr/PwResetMailFrom: 'a\@b\.org, c\@d\.org' is not one plain ASCII address/, 'two From addresses');
refused('PwResetSendmail "sendmail -t"',
    qr/PwResetSendmail: 'sendmail -t' must start with the absolute path/, 'relative sendmail');

# 5b. Statements: as many parameters as the module passes, counted the way
#     APR DBD counts them (%s, %d... each one; %% a literal).
refused('PwResetUpdateQuery "UPDATE users SET password = %s WHERE username = %s"',
    qr/PwResetUpdateQuery: the statement has 2 parameters \(%s\) where 3 are needed/,
    'an UPDATE with two parameters');
refused('PwResetUserByNameQuery "SELECT username, email, password FROM users"',
    qr/PwResetUserByNameQuery: the statement has 0 parameters .* where 1 is needed/,
    'a SELECT without a parameter');
refused('PwResetUserByEmailQuery "SELECT username, email, password FROM users WHERE email = %s OR email = %s"',
    qr/PwResetUserByEmailQuery: the statement has 2 parameters/, 'a SELECT with two');
accepted("$secret\nPwResetUserByEmailQuery \"SELECT username, email, password FROM users WHERE email LIKE %s || '%%'\"",
    'a literal %% is not a parameter');

# 6. Server and virtual host only: httpd's own context check.
refused("<Location /x>\nPwResetMinLength 10\n</Location>",
    qr/PwResetMinLength not allowed (?:here|in <Location>)/, 'inside <Location>');
refused("<Directory \"$dir\">\n$secret\n</Directory>",
    qr/PwResetSecretFile not allowed (?:here|in <Directory>)/, 'inside <Directory>');

# 7. Configured without mod_dbd: configtest and start-up both fail, in
#    check_config, before the error log is open: httpd says why on its
#    standard error, as for any configuration error.
my ($rc, $out) = configtest($secret, nodbd => 1);
ok($rc != 0 && $out =~ /PWR0001/ && $out =~ /mod_dbd/, 'configtest: PWR0001 without mod_dbd')
    or diag $out;
ok(!start($secret, nodbd => 1), 'start-up fails without mod_dbd');
like($start_output, qr/PWR0001: .*mod_dbd is not loaded/, 'start-up says PWR0001');
stop();

# 8. Loaded, never configured: httpd starts and serves; the handler says why not.
my $r = "<Location /r>\nSetHandler pwreset-request\n</Location>";
($rc, $out) = configtest($r, nodbd => 1);
ok($rc == 0, 'configtest: unconfigured module') or diag $out;
my $base = start($r, nodbd => 1);
ok($base, 'unconfigured module: httpd starts') or diag error_log();
SKIP: {
    skip 'httpd did not start', 3 unless $base;
    my $res = $ua->get("$base->[1]/index.html");
    ok($res->code == 200 && $res->content eq "static page\n", 'static file served');
    is($ua->get("$base->[1]/r")->code, 500, 'pwreset-request answers 500');
    like(error_log(), qr/PWR0101: pwreset-request cannot serve: PwResetSecretFile is not set/,
        'PWR0101 names PwResetSecretFile');
}
stop();

# 9. Configured without PwResetLinkURL: starts, but pwreset-request refuses
#    to serve, GET and POST alike (missing_setting() runs before the method).
$base = start("$secret\nPwResetMailFrom no-reply\@example.org\nPwResetUpdateURL /u\n$r");
ok($base, 'no PwResetLinkURL: httpd starts') or diag error_log();
SKIP: {
    skip 'httpd did not start', 3 unless $base;
    is($ua->get("$base->[1]/r")->code, 500, 'GET answers 500');
    is($ua->request(POST "$base->[1]/r", [email => 'a@b.org'])->code, 500, 'POST answers 500');
    like(error_log(), qr/PWR0101: pwreset-request cannot serve: PwResetLinkURL is not set/,
        'PWR0101 names PwResetLinkURL');
}
stop();

# 10. Virtual hosts inherit from the main server; their own key list replaces it.
accepted(<<"EOF", 'virtual hosts inheriting and replacing');
$secret
PwResetLinkURL https://example.org/reset/link
<VirtualHost 127.0.0.1:$port>
    ServerName a.example
    PwResetMinLength 20
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName b.example
    PwResetSecretFile "$keys/old.key"
</VirtualHost>
EOF

# 11. The examples README.md shows are configurations httpd accepts: the
#     Debian-style conf/pwreset.conf (with this test's key and database)
#     and the demo's conf/demo.conf.in (up to its Listen and log lines).
sub slurp { open my $fh, '<', $_[0] or die "$_[0]: $!"; local $/; <$fh> }
my $example = slurp("$T/../conf/pwreset.conf");
$example =~ s{/etc/apache2/pwreset\.key}{$keys/current.key}g;
$example =~ s{/var/lib/pwreset/users\.db}{$dir/users.db}g;
accepted($example,
         'conf/pwreset.conf as README.md shows it');
my $demo = slurp("$T/../conf/demo.conf.in");
$demo =~ s/^(?:ServerRoot|Listen|PidFile|ErrorLog|LoadModule (?:mpm_event|authz_core|dbd|pwreset)_module).*\n//mg;
$demo =~ s/\@DEMO\@/$dir/g;
$demo =~ s/\@USER\@//g;
spew("$dir/secret.key", slurp("$keys/current.key"));
accepted($demo, 'the demo configuration');

# 12. The abuse limits: PwResetCache names a loaded provider; a limit is
#     "count seconds" or "off"; limits on without a cache provider stop
#     httpd at start-up (PWR0003), limits off need none.
refused("$secret\nPwResetCache nosuch", qr/PwResetCache: unknown cache provider 'nosuch': load mod_socache_nosuch/,
        'an unknown cache provider');
accepted("$secret\nPwResetCache shmcb:$dir/cache(65536)", 'shmcb with arguments');
for my $bad ('3', 'abc 60', '0 60', '3 0', '3 604801') {
    refused("$secret\nPwResetAccountLimit $bad", qr/PwResetAccountLimit: /, "PwResetAccountLimit $bad");
}
accepted("$secret\nPwResetAccountLimit off\nPwResetClientLimit 20 600", 'off, and count seconds');
ok(!start("$secret\nPwResetLinkURL https://example.org/reset/link", noshmcb => 1),
   'limits on without mod_socache_shmcb: httpd refuses to start');
like(error_log(), qr/PWR0003: the abuse limits need PwResetCache/, '  and says why (PWR0003)');
stop();
ok(start("$secret\nPwResetLinkURL https://example.org/reset/link\n"
         . "PwResetAccountLimit off\nPwResetClientLimit off", noshmcb => 1),
   'limits off: no cache provider needed');
stop();

# 13. Password quality: PwResetQualityConfig names a readable pwquality.conf;
#     a dictionary that cannot be loaded stops httpd at start-up (PWR0007).
refused("$secret\nPwResetQualityConfig $dir/none.conf", qr/PwResetQualityConfig: '\Q$dir\E\/none\.conf': /,
        'a missing pwquality.conf');
spew("$dir/nodict.conf", "dictpath = $dir/no/such/dictionary\n");
accepted("$secret\nPwResetQualityConfig $dir/nodict.conf", 'a pwquality.conf that parses');
ok(!start("$secret\nPwResetLinkURL https://example.org/reset/link\nPwResetQualityConfig $dir/nodict.conf"),
   'a dictionary that cannot be loaded: httpd refuses to start');
like(error_log(), qr/PWR0007: password checks unavailable: the cracklib dictionary check does not work/,
     '  and says why (PWR0007)');
stop();

# 14. Restarts and stops: a graceful restart runs the start-up hooks again
#     on the same configuration pool and the module keeps working; a child
#     that stops delivers what its queue still holds before it goes.  A slow
#     sendmail keeps the second job queued behind the first when the stop
#     comes.
{
    my $hash = `htpasswd -nbB -C 4 x 'password of lee'`;
    $hash =~ s/^x://;
    chomp $hash;
    my $db = DBI->connect("dbi:SQLite:dbname=$dir/users.db", '', '', { RaiseError => 1 });
    $db->do('INSERT INTO users VALUES (?, ?, ?)', undef, $_, "$_\@example.org", $hash)
        for qw(lee lea);
    $db->disconnect;
    mkdir "$dir/mail";
    my $conf = "$secret\nPwResetLinkURL https://example.org/reset/link\n"
             . "PwResetMailFrom no-reply\@example.org\n"
             . "PwResetSendmail \"$T/bin/sendmail-slow $dir/mail\"\n"
             . "PwResetClientLimit off\nPwResetAccountLimit off\n"
             # one child, so that both jobs share its queue
             . "StartServers 1\nServerLimit 1\nMinSpareThreads 1\nMaxSpareThreads 25\n"
             . "<Location /r>\nSetHandler pwreset-request\n</Location>\n";
    my $up = start($conf);
    ok($up, 'a configured server starts');
    SKIP: {
        skip 'httpd did not start', 5 unless $up;
        my $pid = do { open my $fh, '<', "$dir/httpd.pid" or die $!; local $/; <$fh> };
        chomp $pid;
        run($httpd, '-f', $running->[0], '-d', $dir, '-k', 'graceful');
        my $until = time + 15;
        sleep 0.1 while error_log() !~ /resuming normal operations.*resuming normal operations/s
                        && time < $until;
        like(error_log(), qr/SIGUSR1 received.  Doing graceful restart/, 'graceful restart done');
        sleep 0.5; # the new generation's child is up
        my @codes = map { $ua->request(POST "$running->[1]/r", [email => "$_\@example.org"])->code }
                    qw(lee lea);
        is("@codes", '200 200', 'the request page works after it');
        sleep 0.2; # the first job is in sendmail, the second queued
        run($httpd, '-f', $running->[0], '-d', $dir, '-k', 'graceful-stop');
        $until = time + 20;
        sleep 0.05 while kill(0, $pid) && time < $until;
        undef $running;
        my @mails = glob("$dir/mail/*.eml");
        is(scalar @mails, 2, 'both queued mails were delivered as the server stopped');
        unlike(error_log(), qr/PWR0310/, 'nothing was dropped');
        unlike(error_log(), qr/AH00\d+: .*(?:segfault|Segmentation)/i, 'no crash');
    }
}

# 15. A stopping child gives its queue at most 3 s, whatever
#     PwResetSendmailTimeout says: a hung sendmail is killed (PWR0315) and
#     what is still queued is counted as dropped (PWR0310), well before
#     httpd's own 9 s.
{
    my $conf = "$secret\nPwResetLinkURL https://example.org/reset/link\n"
             . "PwResetMailFrom no-reply\@example.org\n"
             . "PwResetSendmail \"$T/bin/sendmail-hang -t -i\"\n"
             . "PwResetSendmailTimeout 60\n"
             . "PwResetClientLimit off\nPwResetAccountLimit off\n"
             . "StartServers 1\nServerLimit 1\nMinSpareThreads 1\nMaxSpareThreads 25\n"
             . "<Location /r>\nSetHandler pwreset-request\n</Location>\n";
    my $up = start($conf);
    ok($up, 'a server with a hanging sendmail starts');
    SKIP: {
        skip 'httpd did not start', 4 unless $up;
        my $pid = do { open my $fh, '<', "$dir/httpd.pid" or die $!; local $/; <$fh> };
        chomp $pid;
        my @codes = map { $ua->request(POST "$running->[1]/r", [email => "$_\@example.org"])->code }
                    qw(lee lea);
        is("@codes", '200 200', 'two requests answered');
        sleep 0.5; # the first job is in sendmail, the second queued
        my $t0 = time;
        run($httpd, '-f', $running->[0], '-d', $dir, '-k', 'graceful-stop');
        my $until = time + 20;
        sleep 0.05 while kill(0, $pid) && time < $until;
        my $took = time - $t0;
        undef $running;
        SKIP: {
            # valgrind ("make check-valgrind") slows the stop itself.
            skip sprintf('under valgrind: the stop took %.1f s, not timed', $took), 1
                if ($ENV{PWRESET_TEST_UNDER} // '') eq 'valgrind';
            ok($took < 6, sprintf('the server stopped in %.1f s (the drain budget is 3 s)', $took));
        }
        like(error_log(), qr/PWR0315: \S+sendmail-hang was killed as the process stopped; the reset mail for user lee/,
             'the hung sendmail was killed (PWR0315)');
        like(error_log(), qr/PWR0310: 1 queued mails were dropped as the process stopped/,
             'the queued mail is counted as dropped (PWR0310)');
    }
}

