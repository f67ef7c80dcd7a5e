# SPDX-License-Identifier: Apache-2.0
# A real MTA: msmtp (PwResetSendmail "/usr/bin/msmtp -C ... -t") delivers
# over SMTP to a server on loopback started here (t/bin/smtp-sink, on
# Debian's python3-aiosmtpd), which keeps each message as it came in DATA.
# Python's email package (email.policy.default, t/bin/parse-mail) reads it
# as a mail client would: no defects, the headers, Date and Message-ID by
# RFC 5322's grammar, both parts decoded, the link the same in both and
# accepted when followed; on the wire, CR LF only and no line over 998
# bytes, also for an account whose name makes a line longer than that.
# t/flow.t checks the message's words against the stand-in sendmail; this
# checks that a real client and a real MTA take it.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(t_dir reset_users add_user user_hash mail_files browser
    url log_text wait_log);
use HTTP::Request::Common qw(POST);
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(sleep time);

plan tests => 103;

my $T      = t_dir();
my $VHOST  = 'pwreset_mta';
my $MSMTP  = '/usr/bin/msmtp';
my $PYTHON = '/usr/bin/python3';
my $BOX    = "$T/var/mta";          # what the sink received
my $FROM   = 'no-reply@example.org';

# Missing tools fail the test: the project installs them.
ok(-x $MSMTP, "$MSMTP is there") or diag "install Debian's msmtp";
my $aiosmtpd = -x $PYTHON
    && system($PYTHON, '-c', 'import aiosmtpd.smtp') == 0;
ok($aiosmtpd, "$PYTHON has aiosmtpd") or diag "install Debian's python3-aiosmtpd";
die "mta.t needs msmtp and python3-aiosmtpd (build-aux/packages)\n"
    unless -x $MSMTP && $aiosmtpd;

# ---- the SMTP server ------------------------------------------------------
my ($sink_pid, $parent) = (undef, $$);
$SIG{$_} = sub { exit 1 } for qw(INT TERM HUP);   # so that END runs
END { stop_sink() if $$ == $parent }

sub stop_sink {
    my $pid = $sink_pid or return 0;
    local ($?, $!);
    undef $sink_pid;
    kill 'TERM', $pid;
    my $until = time + 10;
    while (time < $until) {
        return 1 if waitpid($pid, POSIX::WNOHANG()) == $pid;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return 0;
}

sub sink_log {
    open my $f, '<', "$T/var/smtp-sink.log" or return '(no smtp-sink.log)';
    local $/;
    return <$f>;
}

mkdir $BOX;
unlink glob("$BOX/*"), glob("$BOX/.*.tmp"), "$T/var/smtp-sink.port",
       "$T/var/msmtp.log";
$sink_pid = fork;
die "fork: $!" unless defined $sink_pid;
if (!$sink_pid) {
    open STDIN, '<', '/dev/null';
    open STDOUT, '>', "$T/var/smtp-sink.log";
    open STDERR, '>&', \*STDOUT;
    { exec $PYTHON, "$T/bin/smtp-sink", $BOX, "$T/var/smtp-sink.port" }
    POSIX::_exit(127);
}

# It binds port 0 on 127.0.0.1, so no other program can take the port
# between a probe and the bind, and writes the port the kernel gave it once
# it listens; then an SMTP greeting must come.
my $port;
for (my $until = time + 20; time < $until; sleep 0.05) {
    last if waitpid($sink_pid, POSIX::WNOHANG()) == $sink_pid;
    next unless open my $f, '<', "$T/var/smtp-sink.port";
    ($port) = <$f> =~ /^(\d+)$/;
    last;
}
ok($port, 'the SMTP server listens on loopback') or diag sink_log();
die "no SMTP server\n" unless $port;
my $greeting = do {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 10);
    my $line = $s ? <$s> // '' : "connect: $@";
    print $s "QUIT\r\n" if $s;
    $line;
};
like($greeting, qr/^220 sink\.test /, 'and greets as SMTP does');

# msmtp reads this at each run.  Everything it would add or change when
# missing is off, so what arrives is what the module wrote.
{
    my $rc = "$T/var/msmtprc";
    unlink $rc;
    my $old = umask 077;
    open my $f, '>', $rc or die "$rc: $!";
    umask $old;
    print $f <<"EOF";
defaults
syslog off
logfile $T/var/msmtp.log
account default
host 127.0.0.1
port $port
domain localhost
from $FROM
auth off
tls off
timeout 15
set_from_header off
set_date_header off
set_msgid_header off
remove_bcc_headers off
undisclosed_recipients off
EOF
    close $f or die "$rc: $!";
    chmod 0600, $rc;
}

# ---- helpers ------------------------------------------------------------
sub received { my @f = sort glob("$BOX/*.eml"); return @f }  # a count in scalar context

# Wait until at least $n messages are there.
sub wait_received {
    my ($n) = @_;
    my $until = time + 20;
    while (received() < $n && time < $until) {
        last if waitpid($sink_pid, POSIX::WNOHANG()) == $sink_pid;
        sleep 0.05;
    }
    my @files = received();
    return @files >= $n ? $files[$n - 1] : undef;
}

sub slurp { my $f = shift; open my $fh, '<:raw', $f or die "$f: $!"; local $/; <$fh> }

# The message as the sink stored it, its envelope, and what Python's email
# package makes of it.
sub read_message {
    my ($file) = @_;
    return {} unless $file;
    my $raw = slurp($file);
    (my $envfile = $file) =~ s/\.eml\z/.json/;
    open my $p, '-|', $PYTHON, "$T/bin/parse-mail", $file or die "parse-mail: $!";
    my $json = do { local $/; <$p> };
    close $p;
    die "parse-mail $file: exit status $?\n" if $?;
    my $m = JSON::PP->new->decode($json);
    $m->{raw} = $raw;
    $m->{envelope} = JSON::PP->new->decode(slurp($envfile));
    my %h;
    push @{ $h{lc $_->[0]} }, $_ for @{ $m->{headers} };
    $m->{h} = \%h;
    return $m;
}

sub raw_header { my ($m, $name) = @_; my $h = $m->{h}{lc $name}; $h ? $h->[0][1] : '' }

# RFC 5322 3.3 date-time (without the obsolete forms), and 3.6.4 msg-id.
my $MON = qr/Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec/;
my $DATE = qr/^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),[ \t]*)?\d{1,2}[ \t]+$MON[ \t]+\d{4,}[ \t]+(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60))?[ \t]+[+-]\d\d[0-5]\d$/;
my $ATEXT = qr{[A-Za-z0-9!#\$%&'*+/=?^_`{|}~-]};
my $DOT_ATOM = qr/$ATEXT+(?:\.$ATEXT+)*/;
my $MSGID = qr/^<$DOT_ATOM\@(?:$DOT_ATOM|\[[\x21-\x5a\x5e-\x7e]*\])>$/;

# What every message must be, 21 tests.  $before and $after bound when it
# was made.
sub check_message {
    my ($what, $m, %e) = @_;
    my $env = $m->{envelope} // {};
    my $raw = $m->{raw} // '';
    is($env->{mail_from}, $FROM, "$what: envelope sender");
    is_deeply($env->{rcpt_tos}, [$e{to}], "$what: one envelope recipient, the stored address, taken by msmtp -t from To");
    my $bare = () = $raw =~ /\r(?!\n)|(?<!\r)\n/g;
    is($bare, 0, "$what: on the wire, every line ends in CR LF");
    my @lines = split /\r\n/, $raw;
    my ($max) = sort { $b <=> $a } map { length } @lines;
    ok(@lines > 10 && ($max // 999) <= 998, "$what: no line over 998 bytes (longest: " . ($max // '-') . ')');
    is_deeply($m->{defects}, [], "$what: Python's email parser finds no defect");
    is(join(' ', map { "$_=" . scalar @{ $m->{h}{lc $_} || [] } }
            qw(From To Subject Date Message-ID MIME-Version Content-Type Cc Bcc)),
       'From=1 To=1 Subject=1 Date=1 Message-ID=1 MIME-Version=1 Content-Type=1 Cc=0 Bcc=0',
       "$what: each header once");
    is_deeply($m->{from}, [{ display_name => '', addr_spec => $FROM }], "$what: From parses to PwResetMailFrom");
    is_deeply($m->{to}, [{ display_name => '', addr_spec => $e{to} }], "$what: To parses to the stored address, alone");
    is(($m->{h}{subject} || [[]])->[0][2], $e{subject}, "$what: Subject");
    is(raw_header($m, 'MIME-Version'), '1.0', "$what: MIME-Version");
    my $date = raw_header($m, 'Date');
    my ($day) = $date =~ $DATE;
    ok($date =~ $DATE, "$what: Date is an RFC 5322 date-time ($date)");
    my $d = $m->{date} || {};
    ok(defined $d->{utcoffset} && $day && $day eq $d->{weekday},
       "$what: Date parses, with a known zone and the right day of the week");
    my $ts = $d->{timestamp} // 0;
    ok($ts >= int($e{before}) - 1 && $ts <= $e{after} + 1,
       "$what: Date is when it was sent") or diag "Date $ts, sent between $e{before} and $e{after}";
    like(raw_header($m, 'Message-ID'), $MSGID, "$what: Message-ID is an RFC 5322 msg-id");
    is($m->{content_type}, 'multipart/alternative', "$what: multipart/alternative");
    ok(($m->{boundary} // '') ne '' && $raw =~ /^--\Q$m->{boundary}\E--\r\n/m, "$what: with a boundary, closed");
    my @parts = @{ $m->{parts} || [] };
    is(join(',', map { $_->{content_type} } @parts), 'text/plain,text/html', "$what: a text part, then an HTML part (the preferred one, last)");
    is(join(',', map { $_->{charset} // '-' } @parts), 'utf-8,utf-8', "$what: both in UTF-8");
    is(join(',', map { $_->{error} // (length $_->{content} ? 'ok' : 'empty') } @parts), 'ok,ok', "$what: both decode");
    my $text = @parts ? $parts[0]{content} // '' : '';
    my $html_text = @parts > 1 ? $parts[1]{text} // '' : '';
    ok(index($text, $e{user}) >= 0 && index($html_text, $e{user}) >= 0,
       "$what: both name the account");
    is(join(',', map { $_->{cte} // '-' } @parts), $e{cte}, "$what: Content-Transfer-Encoding $e{cte}");
    return @parts;
}

# The link in each part, 5 tests; returns it.
sub check_link {
    my ($what, @parts) = @_;
    my @in_text = grep { /token=/ } @{ $parts[0]{urls} || [] };
    my @in_href = grep { /token=/ } @{ $parts[1]{hrefs} || [] };
    is(scalar @in_text, 1, "$what: one link in the text part");
    is(scalar @in_href, 1, "$what: one link in the HTML part's <a href>");
    my $link = $in_text[0] // '';
    is($in_href[0] // '', $link, "$what: the same link");
    ok(index($parts[1]{text} // '', $link) >= 0, "$what: the HTML part also shows it, to copy");
    like($link, qr{^\Q${\ url('/reset/link', $VHOST)}\E\?token=[A-Za-z0-9._-]+$}, "$what: at this virtual host's PwResetLinkURL");
    return $link;
}

# ---- a reset, then the change and its notice ------------------------------
reset_users();
add_user('dora', 'Dora@Example.org', 'old password of dora');
my $old_hash = user_hash('dora');
my $from_log = length log_text('error_log');

my $before = time;
my $res = browser()->request(POST url('/reset/request', $VHOST), [email => 'dora@example.org']);
is($res->code, 200, 'request accepted');
my $file = wait_received(1);
ok($file, 'a message reached the SMTP server') or diag sink_log(), slurp_if("$T/var/msmtp.log"), substr(log_text('error_log'), $from_log);
my $reset = read_message($file);
my @parts = check_message('reset mail', $reset, to => 'Dora@Example.org',
    subject => 'Reset your password for localhost', user => 'dora',
    cte => '7bit,7bit', before => $before, after => time);
unlike($reset->{raw} // '', qr/[^\t\r\n\x20-\x7e]/, 'reset mail: printable ASCII only, as 7bit says');
ok(!defined $reset->{cte} || $reset->{cte} eq '7bit', 'reset mail: 7bit as a whole');
my $link = check_link('reset mail', @parts);
ok(defined wait_log(qr/PWR0307: reset mail for user dora handed to \Q$MSMTP\E/, $from_log),
   'the log says msmtp took it');

# The link, as mailed, opens the form on this host.
my $ua = browser();
$res = $ua->get($link);
is($res->code, 303, 'the mailed link is accepted');
is($res->header('Location'), '/reset/update', 'and leads to the form');
like($res->header('Set-Cookie') // '', qr/^pwreset_form=/, 'with the form cookie');
$res = $ua->get(url('/reset/update', $VHOST));
is($res->code, 200, 'the form');
like($res->content, qr/value="dora" readonly/, 'for the account the mail named');
$before = time;
$res = $ua->request(POST url('/reset/update', $VHOST),
    [password => 'a fresh passphrase for her', confirm => 'a fresh passphrase for her']);
is($res->code, 200, 'password changed');
isnt(user_hash('dora'), $old_hash, 'in the table');

# The notice goes the same way.
$file = wait_received(2);
ok($file, 'the notice reached the SMTP server too');
my $notice = read_message($file);
@parts = check_message('notice', $notice, to => 'Dora@Example.org',
    subject => 'Your password for localhost was changed', user => 'dora',
    cte => '7bit,7bit', before => $before, after => time);
is(scalar(grep { /token=/ } map { @{ $_->{urls} }, @{ $_->{hrefs} } } @parts), 0,
   'notice: no link with a token');
isnt(raw_header($notice, 'Message-ID'), raw_header($reset, 'Message-ID'), 'notice: a Message-ID of its own');

# ---- a line over 998 bytes ------------------------------------------------
# A 1200-character account name: the sentence naming it and the link
# (whose token carries it) are longer than SMTP allows, so the parts are
# quoted-printable, and the link survives it.
my $long = 'longname' x 150;
add_user($long, 'long@example.org', 'old password of long');
$before = time;
$res = browser()->request(POST url('/reset/request', $VHOST), [email => 'long@example.org']);
is($res->code, 200, 'long name: request accepted');
$file = wait_received(3);
ok($file, 'long name: the message reached the SMTP server') or diag sink_log(), slurp_if("$T/var/msmtp.log");
my $lm = read_message($file);
@parts = check_message('long name', $lm, to => 'long@example.org',
    subject => 'Reset your password for localhost', user => $long,
    cte => 'quoted-printable,quoted-printable', before => $before, after => time);
is(join(',', map { (grep { length > 998 } split /\n/, $_->{content} // '') ? 'long' : 'short' } @parts),
   'long,long', 'long name: each part, decoded, has a line over 998 characters');
$link = check_link('long name', @parts);
ok(length($link) > 998, 'long name: the link alone is longer than 998 (' . length($link) . ')');
$ua = browser();
$res = $ua->get($link);
is($res->code, 303, 'long name: the decoded link is accepted');
$res = $ua->get(url('/reset/update', $VHOST));
like($res->content, qr/value="\Q$long\E" readonly/, 'long name: the form names the account');

# ---- afterwards -----------------------------------------------------------
sleep 0.5;  # nothing else on its way
is(scalar(my @all = received()), 3, 'three messages over SMTP, no more');
is(scalar(my @m = mail_files()), 0, 'none through the stand-in sendmail');
my $msmtp_log = slurp_if("$T/var/msmtp.log");
is(scalar(() = $msmtp_log =~ /smtpstatus=250 smtpmsg='250 OK stored as \d+' exitcode=EX_OK$/mg), 3,
   "msmtp's log: three mails taken by this server") or diag $msmtp_log;
unlike(substr(log_text('error_log'), $from_log), qr/PWR03(?:05|06|13|15|16)/, 'no delivery error logged');
ok(stop_sink(), 'the SMTP server stops when told') or diag sink_log();

sub slurp_if { my $f = shift; -e $f ? slurp($f) : "($f: none)" }
