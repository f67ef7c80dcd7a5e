# SPDX-License-Identifier: Apache-2.0
# The walk-through in README.md is a test: its commands run against this
# server (the demo's address, folder and account swapped for the test
# server's), and what they print must match what README.md shows, once the
# parts that change every run (tokens, dates, ids, file names, the host)
# are masked on both sides.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user t_dir url mail_files);
use File::Temp qw(tempdir);

my $readme = do {
    open my $fh, '<', t_dir() . '/../README.md' or die "README.md: $!";
    local $/;
    <$fh>;
};
my ($block) = $readme =~ /## A walk-through with the demo.*?\n```\n(.*?)```/s
    or die 'no walk-through in README.md';

# "$ command" lines, each followed by what it printed.
my @steps;
for my $line (split /\n/, $block) {
    if ($line =~ /^\$ (.*)$/) { push @steps, { cmd => $1, out => '' } }
    elsif (@steps)            { $steps[-1]{out} .= "$line\n" }
}

plan tests => scalar(@steps) + 1;
ok(@steps >= 8, 'README.md walks through the whole flow (' . scalar(@steps) . ' commands)');

reset_users();
add_user('demo', 'demo@example.org', 'demo password 1');

my ($hostport) = url('/') =~ m{^http://([^/]+)/};
my $mail_dir = t_dir() . '/var/mail/';
my $readme_file;   # the file name README.md shows for the message

sub mask {
    my ($text) = @_;
    $text =~ s/\r//g;             # curl -i prints header lines as they came
    $text =~ s/eyJ[A-Za-z0-9_.-]+/TOKEN/g;
    $text =~ s/pwreset_form=(?:<form token>|[A-Za-z0-9_.-]+)(?=;)/pwreset_form=COOKIE/g;
    $text =~ s/\d{10}\.\d+\.\d+\.eml/FILE.eml/g;
    $text =~ s/^Date: .*$/Date: DATE/mg;
    $text =~ s/<[0-9a-f]+\.pwreset\@[^>]+>/<ID>/g;
    $text =~ s/=_pwreset_[0-9a-f]+/BOUNDARY/g;
    $text =~ s/no-reply\@\S+/no-reply\@SITE/g;
    $text =~ s/"demo" on \S+\./"demo" on SITE./g;
    $text =~ s/^on \S+\.$/on SITE./mg;
    $text =~ s/^(Subject: .* for )\S+$/$1SITE/mg;
    $text =~ s{http://(?:127\.0\.0\.1:8080|\Q$hostport\E)}{http://HOST}g;
    $text =~ s{(?:/tmp/pwreset-demo/mail/|\Q$mail_dir\E)}{MAILDIR/}g;
    return $text;
}

# One shell for all the commands, as a person would type them: $link set
# by one is used by the next.  Markers split the output back up.
my $dir = tempdir(CLEANUP => 1);
my $script = "cd '$dir'\n";
for my $i (0 .. $#steps) {
    my $cmd = $steps[$i]{cmd};
    $cmd =~ s{http://127\.0\.0\.1:8080}{http://$hostport}g;
    $cmd =~ s{/tmp/pwreset-demo/mail/}{$mail_dir}g;
    # the message's file name is only known once it is there
    $cmd =~ s{$mail_dir\d{10}\.\d+\.\d+\.eml}{\$(ls $mail_dir*.eml | head -1)}g;
    $script .= "echo '\@\@step $i'\n$cmd\n";
    # the mail is written by a background thread a little after the answer
    $script .= "for n in \$(seq 100); do ls $mail_dir*.eml >/dev/null 2>&1 && break; sleep 0.05; done\n"
        if $i == 0;
}
open my $sh, '-|', 'bash', '-c', $script or die "bash: $!";
my $all = do { local $/; <$sh> };
close $sh;
my @outputs = (split /^\@\@step \d+\n/m, $all);
shift @outputs;

for my $i (0 .. $#steps) {
    is(mask($outputs[$i] // ''), mask($steps[$i]{out}), "\$ $steps[$i]{cmd}");
}
