# SPDX-License-Identifier: Apache-2.0
# A reset site on an httpd of a test's own (PwResetServices::httpd), for the
# tests that break things under it (t/pgsql-faults.t, t/sqlite-faults.t,
# t/restart.t, and t/mariadb.t's restart): its configuration and SQLite
# database, the requests a person makes, and waiting for what the site
# logs and mails.
package PwResetSite;

use strict;
use warnings FATAL => 'all';
use Exporter 'import';
use DBI;
use HTTP::Request::Common qw(GET POST);
use POSIX ();
use Time::HiRes qw(sleep time);
use Test::More ();
use PwResetTest qw(t_dir browser slow_factor);

our @EXPORT_OK = qw(site_conf site_modules reset_locations processes ask open_link
    get_form post_form form_cookie slow_factor log_since wait_site_log
    wait_mails_in parallel sqlite_connect sqlite_make_db log_if_failing);

# slow_factor (PwResetTest's, exported again here): how much longer what a
# test waits for may take, four times under valgrind.

sub site_modules { qw(dbd socache_shmcb) }

# The three pages at /reset/request, /reset/link and /reset/update, as the
# README's example has them.
sub reset_locations { <<'EOF' }
<Location /reset/request>
    SetHandler pwreset-request
</Location>
<Location /reset/link>
    SetHandler pwreset-link
</Location>
<Location /reset/update>
    SetHandler pwreset-update
</Location>
EOF

# How many child processes the MPM of this run (PWRESET_TEST_MPM) keeps,
# and the lines that fix them there: prefork two children of one request
# each, the threaded MPMs one child of four threads.
sub processes {
    my $mpm = $ENV{PWRESET_TEST_MPM} || 'event';
    return (2, <<'EOF') if $mpm eq 'prefork';
StartServers 2
MinSpareServers 2
MaxSpareServers 2
ServerLimit 2
MaxRequestWorkers 2
EOF
    return (1, <<'EOF');
StartServers 1
ServerLimit 1
ThreadsPerChild 4
ThreadLimit 4
MaxRequestWorkers 4
MinSpareThreads 1
MaxSpareThreads 4
EOF
}

# The configuration body: the module, a database (driver => ..., params =>
# ...), the three pages under /reset/, mail stored in $o{mail} by
# t/bin/capture-mail (or $o{sendmail}), limits off, a quick bcrypt; then
# $o{extra}.
sub site_conf {
    my (%o) = @_;
    my $T = t_dir();
    my $sendmail = $o{sendmail} // "$T/bin/capture-mail $o{mail}";
    my (undef, $mpm_lines) = processes();
    my $locations = reset_locations();
    return <<"EOF" . ($o{extra} // '');
LoadModule pwreset_module "$T/../.libs/mod_pwreset.so"
$mpm_lines
DBDriver $o{driver}
DBDParams "$o{params}"
PwResetSecretFile "$T/conf/keys/current.key"
PwResetLinkURL http://127.0.0.1:$o{port}/reset/link
PwResetUpdateURL /reset/update
PwResetRequestURL /reset/request
PwResetMailFrom no-reply\@example.org
PwResetSendmail "$sendmail"
PwResetBcryptCost 4
PwResetClientLimit off
PwResetAccountLimit off
$locations
EOF
}

# POST an address to the request page of the site at $base.
sub ask {
    my ($base, $email, $ua) = @_;
    return ($ua // browser())->request(POST "$base/reset/request",
        [email => $email]);
}

# GET a link (a URL, or a token for the site at $base) with $ua.
sub open_link {
    my ($ua, $base, $token) = @_;
    return $ua->get($token =~ m{^http} ? $token
                    : "$base/reset/link?token=$token");
}

# The form, and posting it, with a form cookie given as a token or kept
# in $ua's jar.
sub get_form {
    my ($ua, $base, $form_token) = @_;
    return $ua->request(GET "$base/reset/update",
        $form_token ? (Cookie => "pwreset_form=$form_token") : ());
}

sub post_form {
    my ($ua, $base, $password, $form_token) = @_;
    my $req = POST "$base/reset/update",
        [password => $password, confirm => $password];
    $req->header(Cookie => "pwreset_form=$form_token") if $form_token;
    return $ua->request($req);
}

# The form cookie a response set: its value, '' when the response cleared
# it, undef when the response did not touch it (no pwreset_form in
# Set-Cookie: the browser keeps the one it had).
sub form_cookie {
    my ($res) = @_;
    my ($v) = ($res->header('Set-Cookie') // '') =~ /^pwreset_form=([^;]*)/;
    return $v;
}

# ---- waiting for the site --------------------------------------------------

# What $site (a PwResetServices httpd) logged after offset $from.
sub log_since {
    my ($site, $from) = @_;
    return substr($site->log_text, $from // 0);
}

# Wait until a line matching $re is logged after offset $from, at most
# $timeout s (15 by default) times slow_factor; true if it was.
sub wait_site_log {
    my ($site, $re, $from, $timeout) = @_;
    my $until = time + slow_factor() * ($timeout // 15);
    sleep 0.05 until log_since($site, $from) =~ $re || time > $until;
    return scalar(log_since($site, $from) =~ $re);
}

# Wait until folder $dir (t/bin/capture-mail's or t/bin/sendmail-slow's)
# holds at least $n messages (*.eml), at most $timeout s (15 by default)
# times slow_factor.  Returns the text of every message there then, in the
# order of their file names (the order they came in), however many that
# is, fewer than $n included: count them with scalar(() = ...).
sub wait_mails_in {
    my ($dir, $n, $timeout) = @_;
    my $until = time + slow_factor() * ($timeout // 15);
    my @files;
    sleep 0.05 while (@files = glob "$dir/*.eml") < $n && time < $until;
    return map { local $/; open my $fh, '<', $_ or die "$_: $!"; <$fh> }
        sort @files;
}

# Run $code->($i) in $n processes at once, $i from 1 to $n; what each
# returned (one line of text; 'died' if it died), sorted.
sub parallel {
    my ($n, $code) = @_;
    pipe my $r, my $w or die "pipe: $!";
    my @pids;
    for my $i (1 .. $n) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            my $out = eval { $code->($i) } // 'died';
            syswrite $w, "$out\n";
            POSIX::_exit(0);    # no END blocks: they would stop the servers
        }
        push @pids, $pid;
    }
    close $w;
    my @out = map { chomp; $_ } <$r>;
    waitpid $_, 0 for @pids;
    return sort @out;
}

# ---- a SQLite database for the site ------------------------------------------

# A handle on the SQLite database in $file, waiting up to 10 s for a lock
# (the test's own handles; httpd's connections are the module's).
sub sqlite_connect {
    my ($file) = @_;
    my $dbh = DBI->connect("dbi:SQLite:dbname=$file", '', '',
        { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $dbh->sqlite_busy_timeout(10_000);
    return $dbh;
}

# Make $file a database of conf/schema.sql with the accounts in @users,
# each [name, password hash], at name@example.org.
sub sqlite_make_db {
    my ($file, @users) = @_;
    my $dbh = sqlite_connect($file);
    my $T = t_dir();
    my $schema = do {
        local $/;
        open my $fh, '<', "$T/../conf/schema.sql" or die "schema.sql: $!";
        <$fh>;
    };
    $dbh->do($_) for grep { /\S/ } split /;\s*$/m, $schema;
    $dbh->do('INSERT INTO users VALUES (?, ?, ?)', undef, $_->[0],
             "$_->[0]\@example.org", $_->[1]) for @users;
    return;
}

# ---- at the end ------------------------------------------------------------

# For a test's END: when it is failing (a test failed, it died, or it ran
# fewer tests than planned), the module's and httpd's lines of $site's
# error log.
sub log_if_failing {
    my ($site) = @_;
    return unless $site;
    my $tb = Test::More->builder;
    my $planned = $tb->has_plan;
    my $failing = !$tb->is_passing || $?
        || ($planned && $planned =~ /^\d+$/ && $tb->current_test != $planned);
    Test::More::diag(grep { /PWR|AH0/ } split /^/m, $site->log_text) if $failing;
    return;
}

1;
