# SPDX-License-Identifier: Apache-2.0
# The schema of the SQLite user table changed under a running server (an
# index added, as README suggests, or ANALYZE, or an application's
# migration).  apr_dbd_sqlite3 prepares with sqlite3_prepare(), whose
# statements are not recompiled after such a change and fail from then on;
# the module forgets a connection's statements when one fails and prepares
# them again, so that each pooled connection answers 503 at most once, and
# never for good.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(make_token hash_password browser);
use PwResetServices qw(free_port httpd);
use PwResetSite qw(site_conf site_modules processes open_link sqlite_connect
    sqlite_make_db);

plan tests => 5;

my $dir = PwResetServices::scratch('schema');
my $db_file = "$dir/users.db";
mkdir "$dir/mail" or die "$dir/mail: $!";
my $hash = hash_password('an old password of sam');
sqlite_make_db($db_file, ['sam', $hash]);
my $dbh = sqlite_connect($db_file);

# A pool that stays full: every connection is kept, none replaced.
my $dbd_max = 2;
my ($children) = processes();
my $bound = $children * $dbd_max;
my $port = free_port();
my $site = httpd(name => 'schema', port => $port, modules => [site_modules()],
    conf => site_conf(port => $port, driver => 'sqlite3', params => $db_file,
        mail => "$dir/mail",
        extra => "DBDMin $dbd_max\nDBDKeep $dbd_max\nDBDMax $dbd_max\n"));
my $base = $site->base;
my $token = make_token(sub => 'sam', hash => $hash);
sub links { map { open_link(browser(), $base, $token)->code } 1 .. $_[0] }

my @before = links(3 * $bound);
is("@before", join(' ', ('303') x (3 * $bound)), 'the link works on every connection');

$dbh->do('CREATE INDEX users_by_name_and_email ON users (username, email)');
my @after = links(6 * $bound);
note "after the index was added: @after";
is(scalar(grep { $_ ne '303' && $_ ne '503' } @after), 0,
   'only 303 or 503 after the change (never a valid link refused)');
cmp_ok(scalar(grep { $_ eq '503' } @after), '<=', $bound,
       "at most one 503 per pooled connection ($children x DBDMax $dbd_max)");
is("@after[-$bound .. -1]", join(' ', ('303') x $bound), 'then the link works again');
like($site->log_text, qr/PWR020[12]: /, 'the failed statement is logged');
