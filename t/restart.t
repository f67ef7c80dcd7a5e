# SPDX-License-Identifier: Apache-2.0
# Restarts and stops of a server at work, under the MPM of this run
# (PWRESET_TEST_MPM), on an httpd of this test's own:
#   - graceful restarts in the middle of a load (clients asking for links,
#     opening them, changing passwords, all at once) fail no request, lose
#     no mail, and links and form cookies issued before them work after;
#   - "apachectl stop" (SIGTERM) with mail still queued behind a slow
#     sendmail ends within the delivery's documented bound (3 s of drain:
#     the stop takes 4.5 to 5.5 s, measured, and must take less than 7 s,
#     well before httpd's SIGKILL at 9 s), and the log accounts for every
#     mail: handed over, killed (PWR0315) or dropped (PWR0310).
# t/config.t has the graceful-stop cases (everything delivered; a hung
# sendmail killed) under event only.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(t_dir make_token browser hash_password link_in);
use PwResetServices qw(free_port httpd);
use PwResetSite qw(site_conf site_modules ask open_link get_form post_form
    form_cookie slow_factor wait_mails_in sqlite_connect sqlite_make_db
    log_if_failing);
use Time::HiRes qw(sleep time);
use POSIX ();

plan tests => 26;

my $T = t_dir();
my $dir = PwResetServices::scratch('restart');
my $db_file = "$dir/users.db";
mkdir "$dir/$_" or die "$dir/$_: $!" for qw(mail mail2);

{
    # One hash for all: htpasswd once, not once per account.
    my $hash = hash_password('an old password of theirs');
    sqlite_make_db($db_file, map { [$_, $hash] } 'lena',
        (map { "load$_" } 1 .. 4), (map { "queue$_" } 1 .. 12));
}
sub user_hash {
    scalar sqlite_connect($db_file)->selectrow_array(
        'SELECT password FROM users WHERE username = ?', undef, $_[0]);
}
sub mails { my @m = glob "$_[0]/*.eml"; scalar @m }

my $port = free_port();
my $site = httpd(name => 'restart', port => $port,
    modules => [site_modules()],
    conf => site_conf(port => $port, driver => 'sqlite3', params => $db_file,
                      mail => "$dir/mail"));
my $base = $site->base;

# The parent's children, once it has some (just after a graceful restart,
# the new generation may not be there yet).
sub generation {
    my $until = time + 10 * slow_factor();
    my @kids;
    sleep 0.05 until (@kids = $site->children) || time > $until;
    return join ' ', sort @kids;
}

# 1. Before: lena asks for a link (mailed), and opens another, for a form
# cookie.
is(ask($base, 'lena@example.org')->code, 200, 'lena asks for a link');
my @mails = wait_mails_in("$dir/mail", 1);
is(scalar @mails, 1, 'and it is mailed');
my $lena_link = link_in($mails[0] // '');
my $lena = browser();
my $res = open_link($lena, $base, make_token(sub => 'lena', hash => user_hash('lena')));
is($res->code, 303, 'lena opens a link before the restarts');
ok(form_cookie($res), 'and holds a form cookie');
unlink glob "$dir/mail/*.eml";

# 2. The load: four clients, each its own account, from before the first
# restart until a second after the second one: ask for a link, open one,
# get the form, change the password, again.  Each answer is written down
# with what LWP said when there was none ("Client-Warning: Internal
# response": a reset or refused connection).
my $stop_load = "$dir/stop-load";
pipe my $r, my $w or die "pipe: $!";
my @pids;
my $parent = $$;
# Should the test end before they do (a die, an interrupt), they must not
# keep asking the servers it stops, nor outlive it.
END {
    my $status = $?;
    if ($$ == $parent && @pids) {
        kill 'TERM', @pids;
        waitpid $_, 0 for @pids;
    }
    $? = $status;
}
for my $i (1 .. 4) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        my $user = "load$i";
        my $until = time + 60;
        my $round = 0;
        # Ended by a signal as it comes, not through PwResetServices' exit:
        # the END blocks of the test are the parent's.
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
        my $ok = eval { while (!-e $stop_load && time < $until) {
            $round++;
            my @got;
            my $ua = browser();
            my $note = sub {
                my ($what, $res) = @_;
                my $internal = ($res->header('Client-Warning') // '') =~ /Internal/;
                push @got, "$what " . $res->code
                    . ($internal ? ' (no answer: ' . $res->message . ')' : '');
            };
            $note->('request', ask($base, "$user\@example.org"));
            $note->('link', open_link($ua, $base,
                make_token(sub => $user, hash => user_hash($user))));
            $note->('form', get_form($ua, $base));
            $note->('update', post_form($ua, $base,
                "gentle walrus $round orbits quietly $i"));
            syswrite $w, join(', ', @got) . "\n";
            # A pace the delivery keeps up with (two mails a round, each a
            # perl process): what this part proves is that restarts lose
            # nothing, not how many mails a stopping child drops when its
            # queue is long (the flood below).
            sleep 0.25;
        } 1 };
        syswrite $w, "load$i died: " . ($@ =~ s/\n/ /gr) . "\n" if !$ok;
        POSIX::_exit(0);    # no END blocks: they would stop the servers
    }
    push @pids, $pid;
}
close $w;
sleep 1.5;
my $gen0 = generation();
$site->graceful;
my $gen1 = generation();
sleep 1;
$site->graceful;
my $gen2 = generation();
sleep 1;
open my $flag, '>', $stop_load or die "$stop_load: $!";
close $flag;
my @rounds = map { chomp; $_ } <$r>;
waitpid $_, 0 for @pids;
@pids = ();

note "children before: $gen0; after the first restart: $gen1; after the second: $gen2";
note scalar(@rounds) . ' rounds of four requests';
my $restarts = () = $site->log_text
    =~ /SIGUSR1 received.  Doing graceful restart|Graceful restart requested/g;
is($restarts, 2, 'two graceful restarts during the load');
isnt($gen1, $gen0, 'the first one replaced the children');
cmp_ok(scalar @rounds, '>=', 8, 'the load kept going (at least 8 rounds)');
my @bad = grep { $_ ne 'request 200, link 303, form 200, update 200' } @rounds;
is(scalar @bad, 0, 'every round: request 200, link 303, form 200, update 200')
    or diag join "\n", @bad;
# Every request for a link was mailed, and every change noticed: the
# children that stopped delivered their queues first.
is(scalar(() = wait_mails_in("$dir/mail", 2 * @rounds)), 2 * @rounds,
   'every request of the load was mailed, and every change noticed');
unlike($site->log_text, qr/PWR031[04]/, 'no mail dropped');
unlike($site->log_text, qr/AH00052|AH00046|Segmentation|segfault/,
       'no child crashed or had to be killed');

# 3. What was issued before the restarts still works.
$res = open_link(browser(), $base, $lena_link);
is($res->code, 303, 'the link mailed before the restarts opens after them');
$res = post_form($lena, $base, 'gentle walrus orbits before lunch');
is($res->code, 200, "the form cookie from before the restarts changes lena's password");
is(open_link(browser(), $base, $lena_link)->code, 400,
   'and her link is used up then, as always');

# 4. "apachectl stop" with mail queued: twelve requests, each mail a second
# of sendmail (t/bin/sendmail-slow), at once.  A stopping child delivers for
# 3 s, kills the sendmail still running then (PWR0315) and counts what is
# left as dropped (PWR0310): every mail is accounted for.
$site->reconfigure(site_conf(port => $port, driver => 'sqlite3',
    params => $db_file, sendmail => "$T/bin/sendmail-slow $dir/mail2"));
my @codes = map { ask($base, "queue$_\@example.org")->code } 1 .. 12;
is("@codes", join(' ', ('200') x 12), 'twelve requests answered at once');
my $t0 = time;
$site->stop;
my $took = time - $t0;
my $log = $site->log_text;
note sprintf 'the server stopped in %.1f s', $took;
SKIP: {
    # valgrind ("make check-valgrind") slows the stop itself.
    skip 'the time a stop takes, under valgrind', 1 if slow_factor() > 1;
    cmp_ok($took, '<', 7, 'the server stopped within the 3 s drain and its '
        . 'own stopping (7 s), well before httpd would kill its children (9 s)');
}
unlike($log, qr/AH00046/, 'no child had to be killed');
my $sent = mails("$dir/mail2");
my $killed = () = $log =~ /PWR0315: \S+sendmail-slow was killed as the process stopped; the reset mail for user queue\d+/g;
my $dropped = 0;
$dropped += $1 while $log =~ /PWR0310: (\d+) queued mails were dropped as the process stopped/g;
note "delivered $sent, killed $killed, dropped $dropped";
is($sent + $killed + $dropped, 12, 'every mail accounted for: delivered, killed (PWR0315) or dropped (PWR0310)');
cmp_ok($dropped, '>=', 1, 'what could not be sent in time is logged as dropped');
unlike($log, qr/PWR030[56]/, 'no sendmail was killed by the stop itself (a signal to the group)');
unlike($log, qr/queue\d+\@example/, 'no address in the log');

# 5. A flood past a child's delivery queue (1024 jobs): one keep-alive
# connection, so one child, asks for 1100 links while its sendmail hangs
# on the first.  The drops are logged at the first one (PWR0314), and the
# rest of them in one more line as the child stops, never a line per
# request; with the jobs still queued then (PWR0310) and the one whose
# sendmail is killed (PWR0315), they account for every request.
my $flood_port = free_port();
my $flood = httpd(name => 'flood', port => $flood_port,
    modules => [site_modules()],
    conf => site_conf(port => $flood_port, driver => 'sqlite3',
        params => $db_file, sendmail => "$T/bin/sendmail-hang",
        extra => "PwResetSendmailTimeout 60\nMaxKeepAliveRequests 0\n"));
my $FLOOD = 1100;
my $ua = browser();
$ua->conn_cache({total_capacity => 1});
my %flood_codes;
$flood_codes{ask("http://127.0.0.1:$flood_port", 'queue1@example.org', $ua)->code}++
    for 1 .. $FLOOD;
is(join(' ', %flood_codes), "200 $FLOOD", "$FLOOD requests, each answered 200 as usual");
my @early = $flood->log_text =~ /PWR0314: [^\n]*/g;
is(scalar @early, 1, 'while the queue is full, one PWR0314 line') or diag "@early";
like($early[0] // '', qr/: 1 jobs dropped/, 'which says a job was dropped')
    or diag $early[0];
$flood->stop;
$log = $flood->log_text;
my $logged = 0;
$logged += $1 while $log =~ /PWR0314: [^\n]*?(\d+) jobs dropped/g;
my $queued = 0;
$queued += $1 while $log =~ /PWR0310: (\d+) queued mails were dropped/g;
my $hung = () = $log =~ /PWR0315: /g;
note "dropped at the door $logged, dropped queued $queued, killed $hung";
my @lines = $log =~ /PWR0314: /g;
is(scalar @lines, 2, 'and one more as the child stopped');
is($logged + $queued + $hung, $FLOOD,
   'every request accounted for: dropped (PWR0314), queued (PWR0310) or killed (PWR0315)');

END { log_if_failing($site) }
