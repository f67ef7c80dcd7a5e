# SPDX-License-Identifier: Apache-2.0
# server-status: mod_pwreset's counters, summed over every child, in the
# page and in ?auto; a flow moves them.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(reset_users add_user clear_mail wait_mails link_in browser url make_token);
use HTTP::Request::Common qw(POST GET);
use Time::HiRes qw(sleep);

plan tests => 14;

sub counters {
    my $res = browser()->request(GET url('/server-status?auto'));
    return { $res->content =~ /^PwReset(\w+): (\d+)$/mg };
}

reset_users();
add_user('sam', 'sam@example.org', 'old password of sam');
my $before = counters();
ok(exists $before->{Requests} && exists $before->{PasswordsChanged},
   '?auto lists the counters (' . join(', ', sort keys %$before) . ')');

# A whole flow, and a few refusals.
clear_mail();
# A connection each, so that several children answer and the sum shows.
browser()->request(POST url('/reset/request'), Connection => 'close', Content => [email => 'sam@example.org']);
browser()->request(POST url('/reset/request'), Connection => 'close', Content => [email => 'nobody@example.org']);
my ($mail) = wait_mails(1);
my $ua = browser();
$ua->get(link_in($mail ? $mail->{text} : ''));
$ua->request(POST url('/reset/update'), [password => 'a brand new passphrase', confirm => 'a brand new passphrase']);
browser()->get(url('/reset/link?token=' . make_token(sub => 'sam', exp => time - 10)));
browser()->get(url('/reset/link?token=not.a.token'));
browser()->request(POST url('/reset/request'), Origin => 'http://evil.example', Content => [email => 'x@example.org']);
sleep 1;   # the notice goes out too

my $after = counters();
my %grew = map { $_ => ($after->{$_} // 0) - ($before->{$_} // 0) } keys %$after;
is($grew{Requests}, 2, 'two requests for a link');
cmp_ok($grew{MailsSent}, '>=', 2, 'the reset mail and the notice handed to sendmail');
is($grew{LinksAccepted}, 1, 'one link accepted');
is($grew{PasswordsChanged}, 1, 'one password changed');
is($grew{TokensExpired}, 1, 'one expired link refused');
is($grew{TokensInvalid}, 1, 'one malformed link refused');
is($grew{ForgedRefused}, 1, 'one forged POST refused');
is($grew{MailsFailed}, 0, 'no mail failed');

my $page = browser()->request(GET url('/server-status'))->content;
like($page, qr/<h2>mod_pwreset<\/h2>/, 'the page has a mod_pwreset section');
like($page, qr/<tr><td>passwords changed<\/td><td>\d+<\/td><\/tr>/, '  with its counters');
# The counters are the children's sum: several children answered above.
cmp_ok($after->{Requests}, '>=', 2, 'summed over every child');

# A graceful restart keeps them: the parent holds the shared memory.
my $pidfile = PwResetTest::t_dir() . '/logs/httpd.pid';
my $pid = do { open my $fh, '<', $pidfile or die "$pidfile: $!"; local $/; <$fh> };
chomp $pid;
sub generation {
    my ($g) = browser()->request(GET url('/server-status?auto'))->content
        =~ /^ParentServerConfigGeneration: (\d+)/m;
    return $g // -1;
}
my $gen = generation();
ok(kill('USR1', $pid), 'a graceful restart (SIGUSR1)');
for (1 .. 150) {
    sleep 0.1;
    last if generation() > $gen;
}
my $again = counters();
cmp_ok($again->{Requests} // 0, '>=', $after->{Requests},
       'the counters survive it (generation ' . generation() . " after $gen)");
