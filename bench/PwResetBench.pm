# SPDX-License-Identifier: Apache-2.0
# What bench/timing, bench/bench and bench/soak share: running as an
# unprivileged user, an httpd with the module just built on a free loopback
# port (through t/lib/PwResetServices.pm, which also starts a private
# PostgreSQL and, should the script be killed outright, stops both with its
# watchdog), a user table of numbered accounts, a key, tokens made with it,
# the children's memory and descriptors, the server-status counters, and
# wrk driven by bench/wrk.lua.  See bench/README.md.
package PwResetBench;

use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec ();
use File::Temp ();
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC sleep);

our $TOP;
BEGIN { $TOP = abs_path(dirname(abs_path(__FILE__)) . '/..') }
use lib "$TOP/t/lib";
use PwResetTest ();
use PwResetServices ();
use PwResetSite ();

# Every account's hash: htpasswd -nbB -C 4 x pw.  Cost 4, as the update
# case needs ("not the current password" runs bcrypt at the old cost).
our $HASH = '$2y$04$fd1vLS87ni80kqjgYPSJneFY4Siwf62qiwLHFFm49vyJaQFGAlL86';
our $DOMAIN = 'bench.example';
# mod_dbd's pool per child, at most (its default, said outright).
my $DBD_MAX = 10;

sub now { clock_gettime(CLOCK_MONOTONIC) }

# The module the bench loads: PWRESET_BENCH_MODULE ("make bench" and "make
# soak" give the one they built, in a build tree that may not be the source
# tree), else .libs/mod_pwreset.so of this tree (a script run by hand after
# make in the source tree).
sub module { $ENV{PWRESET_BENCH_MODULE} || "$TOP/.libs/mod_pwreset.so" }

# httpd will not run as root without User/Group, nor initdb at all: as
# root, run the whole script again as "nobody" (as build-aux/run-tests runs
# the suite as an unprivileged user), with its temp dirs in /tmp.  nobody
# may not be able to read this tree (a clone under /root, mode 0700), so
# it runs on a copy of what it needs, in a folder of /tmp that is nobody's
# alone: bench/, t/lib, t/bin, conf/schema.sql and the module; the copy is
# removed when it ends.  Returns only when not root.
sub unprivileged {
    my ($script, @argv) = @_;
    return if $> != 0;
    my $module = module();
    -r $module or die "$module not found: build the module first (make)\n";
    my $name = (File::Spec->splitpath(abs_path($script)))[2];
    my $copy = File::Temp::tempdir('pwreset-bench-run-XXXXXX', DIR => '/tmp');
    my $rc = system("cd '$TOP' && tar -cf - bench/PwResetBench.pm bench/$name"
        . " bench/wrk.lua t/lib t/bin conf/schema.sql | tar -C '$copy' -xf -");
    if ($rc == 0) {
        mkdir "$copy/.libs";
        $rc = system('cp', $module, "$copy/.libs/mod_pwreset.so");
    }
    $rc = system('chown', '-R', 'nobody:', $copy) if $rc == 0;
    if ($rc != 0) {
        system('rm', '-rf', $copy);
        die "could not copy what $name needs into $copy for nobody\n";
    }
    print "# started by root: running as nobody, on a copy in $copy\n";
    $ENV{TMPDIR} = '/tmp';
    $ENV{PWRESET_BENCH_MODULE} = "$copy/.libs/mod_pwreset.so";
    chdir '/tmp';    # nobody may not enter the current one
    # Ctrl-C reaches both: the run as nobody stops what it started, and
    # this one waits for it; a TERM or HUP to this one alone is passed on.
    my $pid;
    $SIG{INT} = 'IGNORE';
    $SIG{TERM} = $SIG{HUP} = sub { kill 'TERM', $pid if $pid };
    $pid = fork // die "fork: $!\n";
    if (!$pid) {
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
        exec('runuser', '-u', 'nobody', '--', $^X, "$copy/bench/$name", @argv)
            or do { print STDERR "runuser: $!\n"; POSIX::_exit(2) };
    }
    1 while waitpid($pid, 0) == -1 && $!{EINTR};
    my $status = $?;
    system('rm', '-rf', $copy);
    exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
}

# Ctrl-C, TERM and HUP end the script through END, which stops what it
# started (PwResetServices' END, and the watchdog after a kill -9).
my @wrk_pids;
$SIG{$_} = sub { print STDERR "\n# interrupted\n"; exit 130 } for qw(INT TERM HUP);
END {
    my $rc = $?;
    kill 'TERM', @wrk_pids if @wrk_pids;
    $? = $rc;
}

sub account { sprintf "u%06d", $_[0] }
sub address { account($_[0]) . "\@$DOMAIN" }

# A new bench: its folder (key, database, data for wrk), the database with
# accounts 1 .. $o{accounts}, and the httpd configuration, not started yet.
#   db        sqlite (default) or pgsql
#   accounts  how many accounts (u000001@bench.example ...)
#   limits    keep the abuse limits (default off)
#   sendmail  discard (default) or capture (files in mail/)
#   extended  ExtendedStatus On (default Off)
#   mpm       event (default), worker or prefork
#   keep      stop() keeps a copy of the folders
#   modules   more modules to load;  conf  more configuration
sub new {
    my ($class, %o) = @_;
    my $module = module();
    -r $module or die "$module not found: build the module first (make)\n";
    my $self = bless { %o, db => $o{db} // 'sqlite', module => $module },
        $class;
    $self->{dir} = PwResetServices::scratch('bench');
    $self->make_key;
    $self->make_sendmail;
    $self->make_db;
    return $self;
}

sub dir { $_[0]{dir} }

# More configuration, appended after what new() was given (before start()).
sub add_conf { $_[0]{conf} = ($_[0]{conf} // '') . $_[1]; return $_[0] }

# The key as text (64 hex digits): no trailing newline for the module to
# strip, so the bytes it signs with are the bytes here.
sub make_key {
    my ($self) = @_;
    open my $rnd, '<:raw', '/dev/urandom' or die "/dev/urandom: $!\n";
    read($rnd, my $raw, 32) == 32 or die "short read from /dev/urandom\n";
    $self->{key} = unpack 'H*', $raw;
    my $file = "$self->{dir}/secret.key";
    open my $fh, '>', $file or die "$file: $!\n";
    chmod 0600, $file;
    print $fh $self->{key} or die "$file: $!\n";
    close $fh or die "$file: $!\n";
    $self->{kid} = PwResetTest::kid($self->{key});
    $self->{fp} = PwResetTest::fingerprint($self->{key}, $HASH);
    $self->{header} = PwResetTest::b64url(
        qq({"alg":"HS256","kid":"$self->{kid}","typ":"JWT"}));
}

# "discard": dd reads the message and throws it away, the cheapest real
# sendmail there is.  "capture": t/bin/capture-mail, a file per message.
sub make_sendmail {
    my ($self) = @_;
    if (($self->{sendmail} // 'discard') eq 'capture') {
        mkdir "$self->{dir}/mail" or die "mkdir: $!\n";
        $self->{sendmail_cmd} = "$TOP/t/bin/capture-mail $self->{dir}/mail";
    }
    else {
        $self->{sendmail_cmd} = '/usr/bin/dd of=/dev/null status=none';
    }
}

sub make_db {
    my ($self) = @_;
    my $n = $self->{accounts} // 1000;
    my $dbh;
    if ($self->{db} eq 'pgsql') {
        $self->{pg} = PwResetServices::postgres();
        $self->{pg}->load_schema("$TOP/conf/schema.sql");
        $dbh = $self->{pg}{dbh};
        $self->{dbd} = "DBDriver pgsql\nDBDParams \"$self->{pg}{dbd_params}\"";
    }
    elsif ($self->{db} eq 'sqlite') {
        require DBI;
        my $file = "$self->{dir}/users.db";
        $dbh = DBI->connect("dbi:SQLite:dbname=$file", '', '',
            { RaiseError => 1, PrintError => 0,
              sqlite_allow_multiple_statements => 1 });
        open my $fh, '<', "$TOP/conf/schema.sql" or die "schema.sql: $!\n";
        $dbh->do(do { local $/; <$fh> });
        $self->{dbd} = "DBDriver sqlite3\nDBDParams \"$file\"";
    }
    else {
        die "unknown database '$self->{db}': sqlite or pgsql\n";
    }
    $dbh->begin_work;
    my $ins = $dbh->prepare(
        'INSERT INTO users (username, email, password) VALUES (?, ?, ?)');
    $ins->execute(account($_), address($_), $HASH) for 1 .. $n;
    $dbh->commit;
    $dbh->disconnect if $self->{db} eq 'sqlite';
}

# A token as the module makes it (src/core/token.c) for account number $i,
# whose hash is still $HASH.
sub token {
    my ($self, $purpose, $i, $life) = @_;
    my $now = int time;
    my $claims = sprintf '{"exp":%d,"iat":%d,"pwh":"%s","pwr":"%s","sub":"%s"}',
        $now + ($life // 600), $now, $self->{fp}, $purpose, account($i);
    my $input = "$self->{header}." . PwResetTest::b64url($claims);
    return "$input." . PwResetTest::b64url(
        Digest::SHA::hmac_sha256($input, $self->{key}));
}

# One string per line, for bench/wrk.lua to read.
sub write_list {
    my ($self, $name, @lines) = @_;
    my $file = "$self->{dir}/$name";
    open my $fh, '>', $file or die "$file: $!\n";
    print $fh map { "$_\n" } @lines;
    close $fh or die "$file: $!\n";
    return $file;
}

# The configuration body, after what PwResetServices::httpd writes.  Two
# children of 25 threads, never stopped or replaced, so that their memory
# and descriptors can be followed from the warm-up to the end (prefork, for
# bench/timing: 5 to 10 spare children, at most 50).
sub body {
    my ($self) = @_;
    my $port = $self->{port};
    my $limits = $self->{limits} ? ''
        : "PwResetAccountLimit off\nPwResetClientLimit off\n";
    my $ext = $self->{extended} ? 'On' : 'Off';
    mkdir "$self->{dir}/htdocs";
    my $file = "$self->{dir}/htdocs/small.html";
    if (!-e $file) {
        open my $fh, '>', $file or die "$file: $!\n";
        print $fh "<!doctype html>\n<title>small</title>\n<p>",
            'A small static file. ' x 24, "</p>\n";
        close $fh or die "$file: $!\n";
    }
    my $locations = PwResetSite::reset_locations();
    my $mpm = ($self->{mpm} // 'event') eq 'prefork' ? <<'PREFORK' : <<'THREADED';
StartServers 5
MinSpareServers 5
MaxSpareServers 10
MaxRequestWorkers 50
PREFORK
StartServers 2
ServerLimit 2
ThreadsPerChild 25
MaxRequestWorkers 50
MinSpareThreads 50
MaxSpareThreads 75
THREADED
    return <<"CONF" . ($self->{conf} // '');
LoadModule pwreset_module "$self->{module}"
${mpm}MaxConnectionsPerChild 0
ExtendedStatus $ext
TypesConfig /etc/mime.types
DocumentRoot "$self->{dir}/htdocs"
# As Debian's apache2.conf has it: no .htaccess looked for on the way.
<Directory />
    AllowOverride None
</Directory>
Redirect /redirect http://127.0.0.1:$port/
<Location /server-status>
    SetHandler server-status
</Location>
$self->{dbd}
DBDMax $DBD_MAX
PwResetSecretFile "$self->{dir}/secret.key"
PwResetLinkURL http://127.0.0.1:$port/reset/link
PwResetUpdateURL /reset/update
PwResetRequestURL /reset/request
PwResetMailFrom no-reply\@$DOMAIN
PwResetSendmail "$self->{sendmail_cmd}"
PwResetBcryptCost 4
$limits
$locations
CONF
}

sub start {
    my ($self) = @_;
    $self->{port} = PwResetServices::free_port();
    local $ENV{PWRESET_TEST_MPM} = $self->{mpm} // 'event';
    $self->{httpd} = PwResetServices::httpd(name => 'bench',
        port => $self->{port}, loglevel => $self->{loglevel} // 'warn',
        access_log => 0, conf => $self->body,
        modules => ['dbd', 'socache_shmcb', 'alias', 'mime', 'status',
                    @{ $self->{modules} // [] }]);
    return $self;
}

sub port { $_[0]{port} }
sub url { "http://127.0.0.1:$_[0]{port}$_[1]" }
sub error_log { $_[0]{httpd} ? $_[0]{httpd}->log_text : '' }

# Stop httpd (and PostgreSQL).  With keep => 1 given to new(), the bench's
# folder and httpd's (configuration, error_log) are copied first into a
# folder that stays, whose path this returns.
sub stop {
    my ($self) = @_;
    my $kept;
    $self->{httpd}->stop if $self->{httpd};
    if ($self->{keep}) {
        $kept = File::Temp::tempdir('pwreset-bench-kept-XXXXXX', TMPDIR => 1);
        system('cp', '-a', $self->{dir}, $self->{httpd} ? $self->{httpd}{dir} : (),
               $kept) == 0 or warn "could not keep the folders in $kept\n";
    }
    $self->{pg}->stop if $self->{pg};
    delete @$self{qw(httpd pg)};
    return $kept;
}

# ---- what the server says -------------------------------------------------

# One GET on a fresh connection: (status, body).
sub get {
    my ($self, $path) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $self->{port}, Timeout => 10) or return (0, "connect: $!");
    print $s "GET $path HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    my ($status) = $resp =~ m{^HTTP/1\.[01] (\d{3})};
    my ($content) = $resp =~ m{\r\n\r\n(.*)\z}s;
    return ($status // 0, $content // '');
}

# mod_pwreset's server-status counters: { MailsSent => n, ... }.
sub counters {
    my ($self) = @_;
    my ($status, $body) = $self->get('/server-status?auto');
    $status == 200 or die "server-status: status $status\n";
    my %c = $body =~ /^PwReset(\w+): (\d+)$/mg;
    %c or die "server-status shows no mod_pwreset counters\n";
    return \%c;
}

# Wait until the delivery threads have drained: the mail counters have not
# moved for a second (at most $timeout seconds).  Returns the counters.
sub settle {
    my ($self, $timeout) = @_;
    my $until = now() + ($timeout // 60);
    my ($last, $since) = ('', now());
    while (1) {
        my $c = $self->counters;
        my $sig = join ',', map { $c->{$_} // 0 }
            qw(Requests MailsSent MailsFailed MailsDropped AccountLimitHits);
        ($last, $since) = ($sig, now()) if $sig ne $last;
        return $c if now() - $since >= 1 || now() > $until;
        sleep 0.2;
    }
}

# The parent's children, each { pid, rss (KiB, VmRSS less RssShmem), fds }.
sub children {
    my ($self) = @_;
    my @out;
    for my $pid (sort { $a <=> $b } $self->{httpd}->children) {
        # VmRSS less RssShmem: the shared memory a child touches (the
        # scoreboard, PwResetCache's shmcb as it fills) is no growth of its own.
        my %st = do {
            open my $fh, '<', "/proc/$pid/status" or next;
            map { /^(VmRSS|RssShmem):\s+(\d+)\s+kB/ ? ($1 => $2) : () } <$fh>;
        };
        my $rss = defined $st{VmRSS} ? $st{VmRSS} - ($st{RssShmem} // 0) : undef;
        opendir my $dh, "/proc/$pid/fd" or next;
        my %kinds;
        for my $fd (grep { /^\d+$/ } readdir $dh) {
            my $to = readlink("/proc/$pid/fd/$fd") // next;
            $to =~ s/^(socket|pipe):\[\d+\]$/$1/;
            $kinds{$to}++;
        }
        my $fds = 0;
        $fds += $_ for values %kinds;
        push @out, { pid => $pid, rss => $rss // 0, fds => $fds,
                     fd_kinds => \%kinds };
    }
    return \@out;
}

# Lines that say a child crashed, in the error log.
sub crashes {
    my ($self) = @_;
    return grep { /exit signal|Segmentation|AH00052|AH00051|double free|corrupted/ }
        split /\n/, $self->error_log;
}

# A child's descriptors of mod_dbd's pool, which grows with demand up to
# DBDMax connections (10, set in body()): the SQLite file's, or with
# PostgreSQL every socket (at rest, the others are httpd's few listeners).
sub pool_fds {
    my ($self, $child) = @_;
    my $of = $self->{db} eq 'pgsql' ? qr{^socket$} : qr{/users\.db$};
    my $n = 0;
    $n += $child->{fd_kinds}{$_} for grep { $_ =~ $of } keys %{ $child->{fd_kinds} };
    return $n;
}

# Growth of each child between two children() readings, checked against
# bounds in KiB and descriptors (not counting the database connections,
# which must stay within DBDMax); a child that appeared or went away is a
# failure too.  Prints a table, returns the problems.
sub compare_children {
    my ($self, $before, $after, $rss_bound, $fd_bound) = @_;
    my %b = map { $_->{pid} => $_ } @$before;
    my %a = map { $_->{pid} => $_ } @$after;
    my @problems;
    print "(fds: descriptors besides the database connections, db_fds)\n";
    printf "%-8s %12s %12s %10s %8s %8s %6s %8s %8s\n", 'child', 'rss_warm_KiB',
        'rss_end_KiB', 'growth', 'fds_warm', 'fds_end', 'growth', 'db_warm',
        'db_end';
    for my $pid (sort { $a <=> $b } keys %{{ %b, %a }}) {
        if (!$b{$pid} || !$a{$pid}) {
            push @problems, "child $pid " . ($b{$pid} ? 'went away' : 'appeared')
                . ' during the run';
            next;
        }
        my $dr = $a{$pid}{rss} - $b{$pid}{rss};
        my ($pb, $pa) = map { $self->pool_fds($_) } $b{$pid}, $a{$pid};
        my $df = ($a{$pid}{fds} - $pa) - ($b{$pid}{fds} - $pb);
        printf "%-8d %12d %12d %+10d %8d %8d %+6d %8d %8d\n", $pid,
            $b{$pid}{rss}, $a{$pid}{rss}, $dr, $b{$pid}{fds} - $pb,
            $a{$pid}{fds} - $pa, $df, $pb, $pa;
        push @problems, "child $pid holds $pa database descriptors, more "
            . "than DBDMax ($DBD_MAX)" if $pa > $DBD_MAX && $self->{db} eq 'sqlite';
        push @problems, "child $pid grew by $dr KiB (bound $rss_bound)"
            if $dr > $rss_bound;
        if ($df > $fd_bound) {
            my ($kb, $ka) = ($b{$pid}{fd_kinds}, $a{$pid}{fd_kinds});
            my $what = join ', ', map { "$_ " . ($kb->{$_} // 0) . ' -> '
                                        . ($ka->{$_} // 0) }
                grep { ($kb->{$_} // 0) != ($ka->{$_} // 0) }
                sort keys %{{ %$kb, %$ka }};
            push @problems, "child $pid has $df more descriptors (bound "
                . "$fd_bound): $what";
        }
    }
    push @problems, 'no children found' if !%a;
    return @problems;
}

# ---- wrk --------------------------------------------------------------------

# Run wrk with bench/wrk.lua: $o{kinds} (one per thread, cycled), threads,
# connections, seconds (the longest it runs); with $o{count}, it is stopped
# (SIGINT: it reports as usual) once that many responses came.  Returns
# { requests, seconds, rps, p50, p90, p99 (ms), errors => {..},
#   status => { kind => { code => n } } }.
sub wrk {
    my ($self, %o) = @_;
    my $tag = ++$self->{wrk_runs};
    my $progress = "$self->{dir}/progress.$tag";
    my $out = "$self->{dir}/wrk.$tag.out";
    my @cmd = ('wrk', '-t', $o{threads} // 1, '-c', $o{connections} // 16,
        '-d', ($o{seconds} // 10) . 's', '--timeout', ($o{timeout} // 10) . 's',
        '-s', "$TOP/bench/wrk.lua", $self->url('/'), '--',
        $self->{dir}, join(',', @{ $o{kinds} }), $o{count} ? $progress : '');
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        open STDOUT, '>', $out or die "$out: $!\n";
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "exec wrk: $!\n";
    }
    push @wrk_pids, $pid;
    while (waitpid($pid, WNOHANG) == 0) {
        sleep 0.2;
        next unless $o{count};
        my $done = 0;
        for my $f (glob "$progress.*") {
            open my $fh, '<', $f or next;
            $done += (<$fh> // 0);
        }
        kill 'INT', $pid if $done >= $o{count};
    }
    my $rc = $?;
    @wrk_pids = grep { $_ != $pid } @wrk_pids;
    my $text = do { open my $fh, '<', $out or die "$out: $!\n"; local $/; <$fh> // '' };
    my ($res) = $text =~ /^wrk-result (.*)$/m;
    die "wrk failed (exit status " . ($rc >> 8) . "):\n$text" if $rc || !$res;
    my %r = $res =~ /(\w+)=(\S+)/g;
    $r{errors} = { map { $_ => delete $r{"err_$_"} } qw(connect read write timeout) };
    $r{rps} = $r{seconds} > 0 ? $r{requests} / $r{seconds} : 0;
    for ($text =~ /^wrk-status (.*)$/mg) {
        my ($kind, $code, $n) = split ' ';
        $r{status}{$kind}{$code} += $n;
    }
    for ($text =~ /^wrk-note (.*)$/mg) { push @{ $r{notes} }, $_ }
    return \%r;
}

1;
