# SPDX-License-Identifier: Apache-2.0
# SQLite in trouble under a running httpd: locked by another writer, made
# unreadable, deleted.  The request page stays the usual one, a link or the
# form answers 503 with Retry-After and never hangs (it waits for a lock
# only the few seconds README.md's "When the database fails" gives), and
# everything works again once the lock is gone or the mode restored, without
# touching httpd.  An update that meets the lock leaves the account as it
# was, says to try again, and the same form cookie works afterwards.  Skipped when run as root, whom file modes do not stop
# (make check runs the suite as an unprivileged user).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(make_token browser hash_password);
use PwResetServices qw(free_port httpd);
use PwResetSite qw(site_conf site_modules ask open_link get_form post_form
    form_cookie slow_factor log_since wait_site_log sqlite_connect
    sqlite_make_db log_if_failing);
use Time::HiRes qw(time);

plan skip_all => 'run as root, whom file modes do not stop' if $> == 0;
plan tests => 46;

my $dir = PwResetServices::scratch('sqlite');
my $db_file = "$dir/db/users.db";
mkdir "$dir/db" or die "$dir/db: $!";
mkdir "$dir/mail" or die "$dir/mail: $!";

# How long a request that meets a lock may take: what the module waits for
# it (README.md: a few seconds; about 3 s measured), with room for a loaded
# two-core machine, far below a hang; four times that under valgrind.
my $LOCK_BOUND = 8 * slow_factor();

sub connect_db { sqlite_connect($_[0] // $db_file) }
my @accounts = map { [$_, hash_password("old password of $_")] } qw(sara sven);
sub make_db { sqlite_make_db($_[0] // $db_file, @accounts) }
make_db();
my $db = connect_db();
sub user_hash {
    scalar $db->selectrow_array('SELECT password FROM users WHERE username = ?',
                                undef, $_[0]);
}
sub link_token { make_token(sub => $_[0], hash => user_hash($_[0])) }
# sara's password never changes here: her tokens stay good throughout, and
# are made while the table can be read.
my $sara_link = link_token('sara');
my $sara_form = make_token(sub => 'sara', hash => user_hash('sara'),
                           purpose => 'form');

my $port = free_port();
my $conf = site_conf(port => $port, driver => 'sqlite3', params => $db_file,
                     mail => "$dir/mail");
my $site = httpd(name => 'sqlite-faults', port => $port,
                 modules => [site_modules()], conf => $conf);
my $base = $site->base;

my $usual = ask($base, 'nobody@example.org');
is($usual->code, 200, 'the request page answers');
is(open_link(browser(), $base, $sara_link)->code, 303, 'a link works');

# What a page looks like while the database cannot be used: $what names it.
sub unavailable {
    my ($what, $from) = @_;
    my $res = ask($base, 'sara@example.org');
    is($res->code, 200, "$what: the request page's usual status");
    is($res->content, $usual->content, "$what: the usual page, byte for byte");
    ok(wait_site_log($site, qr/PWR0301/, $from), "$what: the delivery thread logs the lookup it could not make");
    my $t0 = time;
    $res = open_link(browser(), $base, $sara_link);
    my $took = time - $t0;
    is($res->code . ' ' . ($res->header('Retry-After') // '-'), '503 60',
       "$what: a link answers 503 with Retry-After");
    like($res->content, qr/try again/i, "$what: a page saying to try again");
    note sprintf '%s: the link took %.1f s', $what, $took;
    cmp_ok($took, '<', $LOCK_BOUND, "$what: no hang (less than $LOCK_BOUND s)");
    $res = get_form(browser(), $base, $sara_form);
    is($res->code, 503, "$what: the form answers 503");
}

# 1. Another writer holds the database: BEGIN EXCLUSIVE keeps readers out
# too (SQLite's rollback journal, the default).
{
    my $from = length $site->log_text;
    my $locker = connect_db();
    $locker->do('BEGIN EXCLUSIVE');
    unavailable('locked', $from);
    like(log_since($site, $from), qr/PWR020[12]: [^\n]*database is locked/,
         'locked: the log says the database is locked');
    $locker->do('ROLLBACK');
    is(open_link(browser(), $base, $sara_link)->code, 303,
       'lock released: the link works again');
}

# 2. Locked at the moment of the update: BEGIN IMMEDIATE lets readers in,
# so the link and the form work, and keeps writers out.
{
    my $ua = browser();
    is(open_link($ua, $base, link_token('sven'))->code, 303, 'sven opens his link');
    my $before = user_hash('sven');
    my $locker = connect_db();
    $locker->do('BEGIN IMMEDIATE');
    my $from = length $site->log_text;
    my $t0 = time;
    my $res = post_form($ua, $base, 'amber lantern over quiet hills');
    my $took = time - $t0;
    note sprintf 'locked at the update: it took %.1f s', $took;
    is($res->code, 503, 'update while another writer holds the lock: 503');
    cmp_ok($took, '<', $LOCK_BOUND, "no hang (less than $LOCK_BOUND s)");
    is($res->header('Retry-After'), '60', 'with Retry-After');
    like($res->content, qr/try again/i, 'the page says to try again');
    is(form_cookie($res), undef, 'the form cookie is kept');
    like(log_since($site, $from), qr/PWR0205: updating the password of sven failed: database is locked/,
         'the failure is logged (PWR0205)');
    $locker->do('ROLLBACK');
    is(user_hash('sven'), $before, 'the account is unchanged');
    $res = post_form($ua, $base, 'amber lantern over quiet hills');
    is($res->code, 200, 'the lock released, the same form changes the password');
    isnt(user_hash('sven'), $before, 'and the new hash is stored');
}

# 3. Unreadable.  A running child keeps reading through the connections it
# holds open; what opens the file anew (a child started by a graceful
# restart, as logrotate's nightly one) cannot.
{
    chmod 0000, $db_file or die "chmod: $!";
    is(open_link(browser(), $base, $sara_link)->code, 303,
       'mode 000: connections opened before still read');
    my $from = length $site->log_text;
    $site->graceful;
    unavailable('mode 000', $from);
    chmod 0600, $db_file or die "chmod: $!";
    is(open_link(browser(), $base, $sara_link)->code, 303,
       'mode restored: the link works again, httpd untouched');
}
{
    chmod 0000, "$dir/db" or die "chmod: $!";
    my $from = length $site->log_text;
    $site->graceful;
    my $res = open_link(browser(), $base, $sara_link);
    chmod 0700, "$dir/db" or die "chmod: $!";
    is($res->code, 503, 'its folder mode 000: a link answers 503');
    is(open_link(browser(), $base, $sara_link)->code, 303,
       'folder mode restored: the link works again, httpd untouched');
}

# 4. Deleted under the running server.  The connections a child holds
# keep the deleted file: reads see what it held, and SQLite refuses writes
# to a file that is gone (SQLITE_READONLY_DBMOVED), so no password change is
# lost in it.  A connection opened afterwards makes a new, empty database
# at the path, unless DBDParams is a URI with mode=rw.  What brings it back:
# the file put back (from a backup), then a graceful restart.
{
    my $ua = browser();
    is(open_link($ua, $base, $sara_link)->code, 303, 'sara opens her link');
    undef $db;
    unlink $db_file or die "unlink: $!";
    my $from = length $site->log_text;
    is(open_link(browser(), $base, $sara_link)->code, 303,
       'deleted: connections opened before still read the deleted file');
    my $res = post_form($ua, $base, 'violet kettle of seven drums');
    is($res->code, 503, 'deleted: an update answers 503, never lost in the deleted file');
    like($res->content, qr/try again/i, 'deleted: the page says to try again');
    like(log_since($site, $from), qr/PWR0205: updating the password of sara failed: attempt to write a readonly database/,
         'deleted: logged (PWR0205)');
    ok(!-e $db_file, 'deleted: nothing made a new file yet');

    $site->graceful;
    $from = length $site->log_text;
    $res = open_link(browser(), $base, $sara_link);
    is($res->code, 503, 'deleted, new children: a link answers 503');
    like(log_since($site, $from), qr/PWR0201: statement pwreset_by_name_\w+ could not be prepared: no such table: users/,
         'deleted, new children: logged (PWR0201, no such table)');
    ok(-e $db_file && -s $db_file == 0, 'deleted, new children: SQLite made an empty file at the path');

    # Another path, which no child of the earlier configuration (one may
    # still be starting as the restart comes) would make.
    my $rw_file = "$dir/db/rw.db";
    $site->reconfigure(site_conf(port => $port, driver => 'sqlite3',
        params => "file:$rw_file?mode=rw", mail => "$dir/mail"));
    $from = length $site->log_text;
    $res = open_link(browser(), $base, $sara_link);
    is($res->code . ' ' . ($res->header('Retry-After') // '-'), '503 60',
       'deleted, DBDParams "file:...?mode=rw": a link answers 503');
    like(log_since($site, $from), qr/AH00629: Can't connect to sqlite3: unable to open database file.*PWR0102: no database connection/s,
         'mode=rw: logged (mod_dbd cannot open it, PWR0102)');
    ok(!-e $rw_file, 'mode=rw: no empty file made');

    make_db($rw_file);
    $db = connect_db($rw_file);
    is(open_link(browser(), $base, link_token('sara'))->code, 303,
       'the database put back: links work again, without a restart');
    unlike($site->log_text, qr/AH00052|Segmentation|segfault/, 'no child crashed');
}

END { log_if_failing($site) }
