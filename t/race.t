# SPDX-License-Identifier: Apache-2.0
# Two tabs holding the same link post the new-password form at the same
# moment: the update is a compare-and-swap on the old hash, so exactly one
# wins, and the stored hash is the winner's.
#
# Each round forks two clients.  Each connects first, then blocks on a
# barrier (reading a pipe that the parent closes), then writes its whole
# request in one go, so both requests reach httpd as close together as
# possible.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user user_hash make_token url log_text
    browser);
use IO::Socket::INET ();
use MIME::Base64 qw(encode_base64);
use POSIX ();
use URI ();

my $ROUNDS = 30;

plan tests => $ROUNDS + 3;

reset_users();

my $update = URI->new(url('/reset/update'));
my ($host, $port) = ($update->host, $update->port);
my $from = length log_text('error_log');

# POST the form with $cookie and $password over a connection that is open
# before the barrier; returns the status code, or 0 on a broken answer.
sub post_after_barrier {
    my ($barrier, $cookie, $password) = @_;
    my $cleared = 0;
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
                                     Proto => 'tcp', Timeout => 30)
        or return 0;
    $sock->autoflush(1);
    (my $enc = $password) =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge;
    my $body = "password=$enc&confirm=$enc";
    my $req = "POST /reset/update HTTP/1.1\r\n"
            . "Host: $host:$port\r\n"
            . "Cookie: pwreset_form=$cookie\r\n"
            . "Content-Type: application/x-www-form-urlencoded\r\n"
            . 'Content-Length: ' . length($body) . "\r\n"
            . "Connection: close\r\n\r\n$body";
    sysread $barrier, my $dummy, 1;   # returns at EOF: the parent let go
    syswrite $sock, $req;
    my $answer = '';
    while (sysread $sock, my $buf, 65536) {
        $answer .= $buf;
    }
    my ($code) = $answer =~ m{\AHTTP/1\.\d (\d{3}) } or return 0;
    # The loser's dead form cookie is cleared, whichever way it lost.
    $cleared++ if $code eq '400'
        && $answer =~ m{\r\nSet-Cookie: pwreset_form=; Path=/reset/update; Max-Age=0;};
    return $code . ($code eq '400' && !$cleared ? ' (cookie kept)' : '');
}

my ($wins, $lost_cas, $lost_token) = (0, 0, 0);

for my $round (1 .. $ROUNDS) {
    my $user = 'racer';
    add_user($user, 'racer@example.org', "old password of racer, round $round");
    my $cookie = make_token(sub => $user, purpose => 'form');
    my @passwords = ("tab one wins round $round", "tab two wins round $round");

    pipe my $barrier_r, my $barrier_w or die "pipe: $!";
    my (@kids, @results);
    for my $i (0, 1) {
        pipe my $res_r, my $res_w or die "pipe: $!";
        my $pid = fork;
        die "fork: $!" unless defined $pid;
        if (!$pid) {
            close $barrier_w;
            close $res_r;
            my $code = post_after_barrier($barrier_r, $cookie, $passwords[$i]);
            syswrite $res_w, "$code\n";
            close $res_w;
            POSIX::_exit(0);   # no END blocks, no Test::More in the child
        }
        close $res_w;
        push @kids, [$pid, $res_r];
    }
    close $barrier_r;
    # Let both connect, then release them together.
    select undef, undef, undef, 0.05;
    close $barrier_w;
    for my $k (@kids) {
        my ($pid, $fh) = @$k;
        my $line = <$fh> // "0\n";
        chomp $line;
        push @results, $line;
        close $fh;
        waitpid $pid, 0;
    }

    my @winners = grep { $results[$_] eq '200' } 0, 1;
    my @losers  = grep { $results[$_] eq '400' } 0, 1;
    my $ok = @winners == 1 && @losers == 1;
    my ($win_auth, $lose_auth) = ('', '');
    if ($ok) {
        my $private = url('/private/index.html');
        $win_auth  = browser()->get($private,
            Authorization => basic($user, $passwords[$winners[0]]))->code;
        $lose_auth = browser()->get($private,
            Authorization => basic($user, $passwords[$losers[0]]))->code;
        $ok = $win_auth == 200 && $lose_auth == 401
              && user_hash($user) =~ /^\$2y\$04\$/;
    }
    $wins++ if $ok;
    ok($ok, "round $round: one 200 and one 400, the winner's password logs in")
        or diag("statuses @results; winner login $win_auth, loser login $lose_auth; hash "
                . user_hash($user));
}

is($wins, $ROUNDS, "exactly one tab won in each of the $ROUNDS rounds");

# How each loser lost: to the compare-and-swap (both read the old hash) or
# to its token (it read the hash after the winner had changed it).  Either
# is right; the count shows that the rounds really overlapped.
my $log = substr(log_text('error_log'), $from);
$lost_cas   = () = $log =~ /PWR0117: password of user racer changed concurrently/g;
$lost_token = () = $log =~ /PWR0112: token refused: the password of user racer changed/g;
diag("losers: $lost_cas to the compare-and-swap, $lost_token to the token check");
is($lost_cas + $lost_token, $ROUNDS, 'every loser is logged as PWR0117 or PWR0112');
is(scalar(() = $log =~ /PWR0118: password of user racer changed/g), $ROUNDS,
   'one PWR0118 per round');

sub basic {
    return 'Basic ' . encode_base64("$_[0]:$_[1]", '');
}
