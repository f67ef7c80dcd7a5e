# SPDX-License-Identifier: Apache-2.0
# What the tests of real deployments start beside the httpd Apache::Test
# drives: a PostgreSQL or MariaDB server, memcached, and further httpd
# servers.  Each one runs as the user running the tests, out of a temporary
# folder only that user can enter: the databases listen on a Unix socket in
# it and nowhere else, memcached and httpd on a free port of 127.0.0.1.  It
# stops when its object goes out of scope or the test ends, also when the
# test dies; should the test be killed outright, a watchdog process stops it
# and removes its folder (see watch below).  Debian's own instances
# (postgresql, mariadb, memcached) are never touched: the suite installs
# those packages without starting them (see build-aux/bootstrap).
package PwResetServices;

use strict;
use warnings FATAL => 'all';
use Exporter 'import';
use File::Temp qw(tempdir);
use File::Spec;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use PwResetTest ();

our @EXPORT_OK = qw(free_port wait_port postgres mariadb memcached httpd
    run_quiet);

my @running;    # everything started, stopped in reverse order at END

my $owner = $$;    # a forked child must not stop what its parent runs

END {
    my $status = $?;
    if ($$ == $owner) { $_->stop for reverse grep { defined } @running; }
    $? = $status;
}

# Interrupted, the test still ends through END.
for my $sig (qw(INT TERM HUP)) {
    $SIG{$sig} = sub { exit 1 } if ($SIG{$sig} // 'DEFAULT') eq 'DEFAULT';
}

# The watchdog: a process of its own that the test tells, over a pipe, each
# process to stop ("QUIT 1234"), each one stopped already ("done 1234") and
# each folder to remove ("dir /tmp/...").  When the pipe closes, however the
# test ended (even kill -9), it signals those not done, newest first, waits
# for each (10 s, then KILL), and removes the folders.  After a clean end
# there is nothing left to do.
my $watch;
sub watch {
    my ($line) = @_;
    if (!$watch) {
        pipe my $r, my $w or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $w;
            POSIX::setsid();    # a Ctrl-C to the test's group spares it
            $SIG{$_} = 'IGNORE' for qw(INT TERM HUP PIPE);
            # Nothing of the test's output stays open: the harness waits
            # for that to close.
            open STDIN, '<', '/dev/null';
            open STDOUT, '>', '/dev/null';
            open STDERR, '>', '/dev/null';
            my (@pids, %done, @dirs);
            while (my $l = <$r>) {
                push @pids, [$1, $2] if $l =~ /^([A-Z]+) (\d+)$/;
                $done{$1} = 1 if $l =~ /^done (\d+)$/;
                push @dirs, $1 if $l =~ /^dir (\S+)$/;
            }
            for my $p (reverse @pids) {
                my ($sig, $id) = @$p;
                next if $done{$id} || !kill 0, $id;
                kill $sig, $id;
                my $until = time + 10;
                sleep 0.05 while kill(0, $id) && time < $until;
                kill 'KILL', $id if kill 0, $id;
            }
            require File::Path;
            File::Path::remove_tree($_) for grep { -d } @dirs;
            POSIX::_exit(0);
        }
        close $r;
        $watch = $w;
        $watch->autoflush(1);
    }
    print {$watch} "$line\n";
}

# A port of 127.0.0.1 nothing listens on now, below Linux's range of
# ephemeral ports (32768 and up), so that the client side of some
# connection cannot take it before the server binds it.
sub free_port {
    for (1 .. 200) {
        my $port = 20000 + int rand 12000;
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
            LocalPort => $port, Proto => 'tcp', Listen => 1, ReuseAddr => 1)
            or next;
        close $s;
        return $port;
    }
    die "free_port: no free port between 20000 and 32000\n";
}

# Wait until the Unix socket $path accepts connections.
sub wait_socket {
    my ($path, $timeout, $what) = @_;
    require IO::Socket::UNIX;
    my $until = time + $timeout;
    while (time < $until) {
        my $s = IO::Socket::UNIX->new(Peer => $path);
        if ($s) { close $s; return 1 }
        sleep 0.1;
    }
    die "$what did not listen on $path within $timeout s\n";
}

# Wait until 127.0.0.1:$port accepts connections; dies after $timeout.
sub wait_port {
    my ($port, $timeout, $what) = @_;
    my $until = time + ($timeout // 30);
    while (time < $until) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $port, Proto => 'tcp', Timeout => 1);
        if ($s) { close $s; return 1 }
        sleep 0.1;
    }
    die "$what did not listen on 127.0.0.1:$port within ${\($timeout // 30)} s\n";
}

# Start a command with no input and its output appended to $log; its pid.
sub start_child {
    my ($log, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log or die "$log: $!";
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    return $pid;
}

# Run a command; its output goes to $log.  Dies, quoting the log's end,
# when it fails.
sub run_quiet {
    my ($log, @cmd) = @_;
    waitpid start_child($log, @cmd), 0;
    return if $? == 0;
    my $tail = '';
    if (open my $fh, '<', $log) { local $/; $tail = <$fh> // ''; }
    $tail = substr($tail, -2000) if length $tail > 2000;
    die "@cmd: exit status " . ($? >> 8) . "\n$tail\n";
}

sub scratch {
    my ($what) = @_;
    my $dir = tempdir("pwreset-$what-XXXXXX", TMPDIR => 1, CLEANUP => 1);
    watch("dir $dir");
    return $dir;
}

sub register { $_[0]{owner} = $$; push @running, $_[0]; return $_[0] }
sub mine { ($_[0]{owner} // $$) == $$ }

# ---------------------------------------------------------------------------
package PwResetServices::Daemon;
# A process we forked and exec'd ourselves, stopped with a signal.
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

sub spawn {
    my ($class, $name, $log, @cmd) = @_;
    my $pid = PwResetServices::start_child($log, @cmd);
    PwResetServices::watch("TERM $pid");
    return bless { name => $name, pid => $pid, log => $log, owner => $$ }, $class;
}

sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'TERM', $pid;
    my $until = time + 10;
    my $gone;
    while (!$gone && time < $until) {
        $gone = waitpid($pid, WNOHANG) == $pid;
        sleep 0.05 unless $gone;
    }
    if (!$gone) {
        kill 'KILL', $pid;
        waitpid $pid, 0;
    }
    PwResetServices::watch("done $pid");
}

sub DESTROY { $_[0]->stop if PwResetServices::mine($_[0]) }

# ---------------------------------------------------------------------------
package PwResetServices;

# PostgreSQL: initdb into a temporary folder, then a server listening on a
# Unix socket in that folder only (no TCP: with "trust" authentication, only
# the user who can enter the folder gets in).  Returns an object with
# dbd_params (for DBDParams) and dbh (a DBI handle).
sub postgres {
    my (%o) = @_;
    my ($bin) = sort { ($b =~ m{/(\d+)/bin})[0] <=> ($a =~ m{/(\d+)/bin})[0] }
        glob '/usr/lib/postgresql/*/bin';
    die "PostgreSQL is not installed (Debian: apt-get install postgresql)\n"
        unless $bin && -x "$bin/initdb";
    my $dir = scratch('pgsql');
    my $log = "$dir/server.log";
    # C.UTF-8: lower() folds as Unicode does (U+212A KELVIN SIGN to k).
    run_quiet($log, "$bin/initdb", '-D', "$dir/data", '-U', 'pwreset',
        '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync');
    my $self = bless { kind => 'pgsql', dir => $dir, bin => $bin,
        user => 'pwreset', dbname => 'pwreset', log => $log },
        'PwResetServices::Postgres';
    $self->start_server;
    register($self);
    run_quiet($log, "$bin/createdb", '-h', $dir, '-U', 'pwreset', 'pwreset');
    $self->{dbd_params} = "host=$dir user=pwreset dbname=pwreset";
    require DBI;
    $self->{dbh} = DBI->connect(
        "dbi:Pg:dbname=pwreset;host=$dir", 'pwreset', '',
        { RaiseError => 1, PrintError => 0, AutoCommit => 1,
          pg_enable_utf8 => 1 });
    return $self;
}

# MariaDB: mariadb-install-db into a temporary folder, then mariadbd
# listening on a Unix socket in it and nowhere else (root has no password;
# only the user who can enter the folder gets in), with Debian's defaults
# otherwise (utf8mb4_general_ci: the schema must choose its collation), and
# a database "pwreset".
sub mariadb {
    my (%o) = @_;
    die "MariaDB is not installed (Debian: apt-get install mariadb-server)\n"
        unless -x '/usr/sbin/mariadbd';
    my $dir = scratch('mariadb');
    my $log = "$dir/server.log";
    my $sock = "$dir/mysqld.sock";
    run_quiet($log, 'mariadb-install-db', '--no-defaults',
        "--datadir=$dir/data", '--auth-root-authentication-method=normal',
        '--skip-test-db', '--skip-name-resolve');
    my @cmd = ('/usr/sbin/mariadbd', '--no-defaults', "--datadir=$dir/data",
        "--socket=$sock", "--pid-file=$dir/mysqld.pid", '--skip-networking',
        "--secure-file-priv=$dir", '--skip-name-resolve', '--skip-log-bin',
        '--innodb-buffer-pool-size=32M', '--innodb-flush-log-at-trx-commit=0');
    my $d = PwResetServices::Daemon->spawn('mariadbd', $log, @cmd);
    my $self = bless { kind => 'mysql', dir => $dir, daemon => $d,
        user => 'root', dbname => 'pwreset', log => $log, cmd => \@cmd,
        sock => $sock }, 'PwResetServices::MariaDB';
    register($self);
    wait_socket($sock, 60, 'mariadbd');
    require DBI;
    my $dsn = "dbi:MariaDB:mariadb_socket=$sock";
    my $until = time + 30;
    my $dbh;
    until ($dbh = eval { DBI->connect($dsn, 'root', '',
                         { RaiseError => 1, PrintError => 0 }) }) {
        die "mariadbd: $@" if time > $until;
        sleep 0.2;
    }
    $dbh->do('CREATE DATABASE pwreset CHARACTER SET utf8mb4');
    $dbh->disconnect;
    $self->{dbh} = DBI->connect("$dsn;database=pwreset", 'root', '',
        { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $self->{dbh}->do('SET NAMES utf8mb4');
    $self->{dbd_params} = "sock=$sock user=root dbname=pwreset";
    return $self;
}

# memcached on a free port.
sub memcached {
    die "memcached is not installed (Debian: apt-get install memcached)\n"
        unless -x '/usr/bin/memcached';
    my $dir = scratch('memcached');
    my $port = free_port();
    my $d = PwResetServices::Daemon->spawn('memcached', "$dir/log",
        '/usr/bin/memcached', '-l', '127.0.0.1', '-p', $port, '-U', '0',
        '-m', '16', '-t', '2');
    my $self = bless { kind => 'memcache', dir => $dir, daemon => $d,
        port => $port, spec => "memcache:127.0.0.1:$port" },
        'PwResetServices::Memcached';
    register($self);
    wait_port($port, 10, 'memcached');
    return $self;
}

# An httpd of our own: $conf is the body of its configuration, after the
# lines this adds (ServerRoot, Listen, PidFile, ErrorLog, the MPM and the
# modules in @{$o{modules}}; no access log with access_log => 0).  Stopped
# with "-k stop" when it goes away.
sub httpd {
    my (%o) = @_;
    my $name = $o{name} // 'httpd';
    my $dir = scratch("httpd-$name");
    my $port = $o{port} // free_port();
    my $bin = $ENV{APACHE_TEST_HTTPD} || '/usr/sbin/apache2';
    my $mods = '/usr/lib/apache2/modules';
    my $level = $o{loglevel} // "info";
    my $mpm = $ENV{PWRESET_TEST_MPM} || 'event';    # as t/TEST.PL
    die "PWRESET_TEST_MPM: prefork, worker or event\n"
        unless $mpm =~ /^(?:prefork|worker|event)$/;
    my @modules = ("mpm_$mpm", 'authz_core', 'headers',
                   @{ $o{modules} // [] });
    my %seen;
    my $load = join '', map {
        "LoadModule ${_}_module $mods/mod_$_.so\n"
    } grep { !$seen{$_}++ } @modules;
    my $self = bless { kind => 'httpd', name => $name, dir => $dir,
        port => $port, bin => $bin, conf => "$dir/httpd.conf",
        log => "$dir/error_log", access => "$dir/access_log" },
        'PwResetServices::Httpd';
    my $access = ($o{access_log} // 1)
        ? qq{CustomLog "$dir/access_log" brief\n} : '';
    $self->{head} = <<"EOF" . $access . $load . "\n";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
LogLevel $level
LogFormat "%a %t \\"%r\\" %>s %b" brief
Mutex file:$dir default
DefaultRuntimeDir "$dir"
EOF
    $self->write_conf($o{conf});
    register($self);
    $self->start;
    return $self;
}

# ---------------------------------------------------------------------------
package PwResetServices::Httpd;
use Time::HiRes qw(sleep time);

# The configuration: what httpd() wrote first, then $body.
sub write_conf {
    my ($self, $body) = @_;
    open my $fh, '>', $self->{conf} or die "$self->{conf}: $!";
    print $fh $self->{head}, $body;
    close $fh or die "$self->{conf}: $!";
}

# A new configuration body, taken up by a graceful restart.
sub reconfigure {
    my ($self, $body) = @_;
    $self->write_conf($body);
    $self->graceful;
}

sub base { "http://127.0.0.1:$_[0]{port}" }

sub pid {
    my ($self) = @_;
    open my $fh, '<', "$self->{dir}/httpd.pid" or return;
    my $pid = <$fh> // return;
    chomp $pid;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

sub ctl {
    my ($self, $action) = @_;
    PwResetServices::run_quiet("$self->{dir}/ctl.log", $self->{bin},
        '-d', $self->{dir}, '-f', $self->{conf}, '-k', $action);
}

sub start {
    my ($self) = @_;
    $self->ctl('start');
    $self->{up} = 1;
    # The parent writes its pid file after "-k start" has returned.
    my $until = time + 15;
    sleep 0.05 until $self->pid || time > $until;
    my $pid = $self->pid
        or die "httpd $self->{name}: no pid file within 15 s\n" . $self->log_text;
    PwResetServices::watch("TERM $pid");
    PwResetServices::wait_port($self->{port}, 30, "httpd $self->{name}");
}

# Re-read the configuration (after write_conf) and wait until the new
# generation answers and the old one is gone: a child of the old generation
# finishes the connections it holds first (under prefork, a keep-alive
# connection from a proxy until KeepAliveTimeout), and answers on them with
# the old configuration meanwhile.
sub graceful {
    my ($self) = @_;
    my $before = -s $self->{log} // 0;
    my @old = $self->children;
    $self->ctl('graceful');
    my $until = time + 30;
    my $resumed;
    while (time < $until) {
        if (!$resumed) {
            open my $fh, '<', $self->{log} or die "$self->{log}: $!";
            seek $fh, $before, 0;
            local $/;
            $resumed = (<$fh> // '') =~ /resuming normal operations/;
        }
        return if $resumed && !grep { kill 0, $_ } @old;
        sleep 0.1;
    }
    die "httpd $self->{name}: the old generation still runs 30 s after a graceful restart\n";
}

# The pids of the parent's children now (from /proc).
sub children {
    my ($self) = @_;
    my $parent = $self->pid or return;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh> // next;
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        push @kids, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $parent;
    }
    return @kids;
}

sub stop {
    my ($self) = @_;
    return unless delete $self->{up};
    my $pid = $self->pid;
    eval { $self->ctl('stop') };
    return unless $pid;
    my $until = time + 15;
    while (time < $until && kill 0, $pid) { sleep 0.05 }
    kill 'KILL', $pid if kill 0, $pid;
    PwResetServices::watch("done $pid");
}

sub log_text {
    my ($self, $which) = @_;
    my $file = $which && $which eq 'access' ? $self->{access} : $self->{log};
    open my $fh, '<', $file or return '';
    local $/;
    return <$fh> // '';
}

sub DESTROY { $_[0]->stop if PwResetServices::mine($_[0]) }

# ---------------------------------------------------------------------------
package PwResetServices::Database;
# What the tests do with either database, through DBI.

# Run a schema file of conf/ (its statements end a line with ";").
sub load_schema {
    my ($self, $file) = @_;
    open my $fh, '<', $file or die "$file: $!";
    local $/;
    (my $sql = <$fh>) =~ s/^\s*--.*\n//mg;
    $self->{dbh}->do($_) for grep { /\S/ } split /;\s*\n/, $sql;
}

sub add_user {
    my ($self, $user, $email, $password) = @_;
    $self->{dbh}->do('INSERT INTO users (username, email, password) VALUES (?, ?, ?)',
        undef, $user, $email, PwResetTest::hash_password($password));
}

sub user_hash {
    my ($self, $user) = @_;
    return scalar $self->{dbh}->selectrow_array(
        'SELECT password FROM users WHERE username = ?', undef, $user);
}

# ---------------------------------------------------------------------------
package PwResetServices::Postgres;
our @ISA = ('PwResetServices::Database');

# pg_ctl start on the folder's data, listening on its socket only.
sub start_server {
    my ($self) = @_;
    my ($bin, $dir) = @$self{qw(bin dir)};
    PwResetServices::run_quiet($self->{log}, "$bin/pg_ctl", '-D',
        "$dir/data", '-l', $self->{log}, '-w', '-t', '60', '-o',
        "-h '' -k $dir -c fsync=off -c synchronous_commit=off "
        . "-c full_page_writes=off -c max_connections=60", 'start');
    delete $self->{pid};
    if (open my $fh, '<', "$dir/data/postmaster.pid") {
        my $pid = <$fh>;
        $self->{pid} = $1 if defined $pid && $pid =~ /^(\d+)/;
    }
    PwResetServices::watch("QUIT $self->{pid}") if $self->{pid};   # immediate shutdown
}

# The database going away under its clients and coming back, as an admin's
# "systemctl restart" does it: pg_ctl stop -m fast (every session is ended)
# keeping the data, then start_server on the same socket.
sub pause {
    my ($self) = @_;
    $self->{dbh}->disconnect if $self->{dbh};
    PwResetServices::run_quiet($self->{log}, "$self->{bin}/pg_ctl", '-D',
        "$self->{dir}/data", '-m', 'fast', '-w', 'stop');
    PwResetServices::watch("done $self->{pid}") if $self->{pid};
}

sub resume {
    my ($self) = @_;
    $self->start_server;
    $self->{dbh} = DBI->connect("dbi:Pg:dbname=pwreset;host=$self->{dir}",
        'pwreset', '', { RaiseError => 1, PrintError => 0, AutoCommit => 1,
                         pg_enable_utf8 => 1 });
}

sub stop {
    my ($self) = @_;
    return unless $self->{dir} && !$self->{stopped}++;
    $self->{dbh}->disconnect if $self->{dbh};
    eval {
        PwResetServices::run_quiet($self->{log}, "$self->{bin}/pg_ctl", '-D',
            "$self->{dir}/data", '-m', 'immediate', '-w', 'stop');
    };
    PwResetServices::watch("done $self->{pid}") if $self->{pid} && !kill 0, $self->{pid};
}

sub DESTROY { $_[0]->stop if PwResetServices::mine($_[0]) }

# ---------------------------------------------------------------------------
package PwResetServices::MariaDB;
our @ISA = ('PwResetServices::Database');

# The server going away under its clients and coming back (SIGTERM, then
# mariadbd again on the same socket and data).
sub pause {
    my ($self) = @_;
    $self->{dbh}->disconnect if $self->{dbh};
    $self->{daemon}->stop;
}

sub resume {
    my ($self) = @_;
    $self->{daemon} = PwResetServices::Daemon->spawn('mariadbd', $self->{log},
        @{ $self->{cmd} });
    PwResetServices::wait_socket($self->{sock}, 60, 'mariadbd');
    $self->{dbh} = DBI->connect(
        "dbi:MariaDB:mariadb_socket=$self->{sock};database=pwreset", 'root',
        '', { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $self->{dbh}->do('SET NAMES utf8mb4');
}

sub stop {
    my ($self) = @_;
    return if $self->{stopped}++;
    $self->{dbh}->disconnect if $self->{dbh};
    $self->{daemon}->stop if $self->{daemon};
}

sub DESTROY { $_[0]->stop if PwResetServices::mine($_[0]) }

# ---------------------------------------------------------------------------
package PwResetServices::Memcached;

sub stop { $_[0]{daemon}->stop if $_[0]{daemon} }

sub DESTROY { $_[0]->stop if PwResetServices::mine($_[0]) }

1;
