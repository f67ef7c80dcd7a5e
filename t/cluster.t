# SPDX-License-Identifier: Apache-2.0
# A site as it is run: two httpd back ends sharing PostgreSQL and memcached,
# behind a third httpd with mod_proxy_balancer (round-robin), mod_remoteip on
# the back ends.  Through the front:
#   - a link mailed by one back end is honoured by the other, and works once
#     across both;
#   - the client limit and the account limit count across both (the account
#     limit also for U+212A KELVIN SIGN, which PostgreSQL's lower() folds);
#   - what the README promises of the limits under simultaneous requests;
#   - keys rotated on both keep earlier links alive.
# The servers are this test's own (t/lib/PwResetServices.pm), started here
# and stopped when it ends; the httpd Apache::Test drives is not used.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(t_dir clear_mail mail_files wait_mails link_in
    ask_reset);
use PwResetServices qw(free_port postgres memcached httpd);
use PwResetSite qw(parallel);
use LWP::UserAgent;
use HTTP::Cookies;
use HTTP::Request::Common qw(POST);
use Time::HiRes qw(sleep time);

plan tests => 40;

my $T = t_dir();
my $module = "$T/../.libs/mod_pwreset.so";
-f $module or BAIL_OUT("no $module");

my $pg = postgres();
my $mc = memcached();
$pg->load_schema("$T/../conf/schema.sql");    # as it is, on PostgreSQL
sub user_hash { $pg->user_hash(@_) }
$pg->add_user('bob', 'bob@example.org', 'old password of bob');
$pg->add_user('kate', 'kate@example.org', 'old password of kate');
$pg->add_user($_, "$_\@example.org", "old password of $_") for qw(rita sam tom);

my $front_port = free_port();
my $site = "127.0.0.1:$front_port";
clear_mail();

# A configuration from one of conf/'s examples, with the directives named
# in %set given other values (a list: one line for each value), and $extra
# after it.  Dies if the example no longer has one of them.
sub from_example {
    my ($file, $set, $extra) = @_;
    open my $fh, '<', "$T/../conf/$file" or die "conf/$file: $!";
    my @lines = <$fh>;
    for my $name (sort keys %$set) {
        my @at = grep { $lines[$_] =~ /^\s*\Q$name\E\s/ } 0 .. $#lines;
        die "conf/$file has no $name any more\n" unless @at;
        my ($indent) = $lines[$at[0]] =~ /^(\s*)/;
        my $values = ref $set->{$name} ? $set->{$name} : [$set->{$name}];
        $lines[$_] = '' for @at;
        $lines[$at[0]] = join '', map { "$indent$name $_\n" } @$values;
    }
    return join('', @lines) . ($extra // '');
}

# One back end's configuration; $keys lists the key files, signing key first.
sub backend_conf {
    my ($name, $keys) = @_;
    return qq{LoadModule pwreset_module "$module"\n} . from_example(
        'cluster-backend.conf', {
            ServerName            => $site,
            RemoteIPInternalProxy => '127.0.0.1',
            DBDParams             => qq{"$pg->{dbd_params}"},
            PwResetSecretFile     => [map { qq{"$T/conf/keys/$_.key"} } @$keys],
            PwResetLinkURL        => "http://$site/reset/link",
            PwResetCache          => $mc->{spec},
        }, <<"EOF");
# The test's own: which back end answered, where mail goes, a quick bcrypt,
# and limits small enough to reach.
Header always set X-Backend $name
PwResetSendmail "$T/bin/capture-mail $T/var/mail"
PwResetBcryptCost 4
PwResetAccountLimit 2 3600
PwResetClientLimit 6 600
EOF
}
my @backend_modules = qw(dbd socache_memcache remoteip);
my %back;
for my $name (qw(a b)) {
    $back{$name} = httpd(name => "back-$name", modules => \@backend_modules,
        conf => backend_conf($name, ['old']));
}
my $front = httpd(name => 'front', port => $front_port,
    modules => [qw(proxy proxy_http proxy_balancer lbmethod_byrequests
                   slotmem_shm)],
    conf => from_example('cluster-front.conf', { BalancerMember => [
        map { qq{"http://127.0.0.1:$back{$_}{port}"} } qw(a b) ] }));

# A browser at one loopback address (127.0.0.0/8 is all local on Linux):
# the back ends must see that address, not the front's.
sub client {
    my ($ip) = @_;
    return LWP::UserAgent->new(local_address => $ip, max_redirect => 0,
        timeout => 30, cookie_jar => HTTP::Cookies->new);
}
sub front_url { "http://$site$_[0]" }
sub ask { ask_reset($_[0], front_url('/reset/request'), $_[1]) }
sub backend_of { $_[0]->header('X-Backend') // '?' }
# GET $url through the front until back end $want answers (round-robin
# gives it within two tries; other tries are answered too and change nothing).
sub get_via {
    my ($ua, $url, $want) = @_;
    for (1 .. 6) {
        my $res = $ua->get($url);
        return $res if backend_of($res) eq $want;
    }
    die "back end $want never answered $url\n";
}
sub other { $_[0] eq 'a' ? 'b' : 'a' }

# 1. Round-robin: both back ends answer, in turn.
my $ua = client('127.0.0.2');
my @seen = map { backend_of($ua->get(front_url('/reset/request'))) } 1 .. 4;
is(join(',', sort @seen), 'a,a,b,b', 'the balancer sends requests to both back ends in turn');

# 2. A link mailed by one back end, honoured by the other, once.
my $res = ask($ua, 'bob@example.org');
is($res->code, 200, 'request through the front');
my $mailer = backend_of($res);
my ($mail) = wait_mails(1);
my $link = $mail ? link_in($mail->{text}) : undef;
ok($link, "back end $mailer mailed a link");
like($link // '', qr{^\Qhttp://$site/reset/link?token=\E}, 'the link names the front');
my $opener = other($mailer);
$res = get_via($ua, $link, $opener);
is($res->code, 303, "back end $opener honours the link back end $mailer mailed");
my ($form_cookie) = ($res->header('Set-Cookie') // '') =~ /^(pwreset_form=[^;]+)/;
ok($form_cookie, 'and sets the form cookie');
$res = get_via($ua, front_url('/reset/update'), $mailer);
is($res->code, 200, "back end $mailer shows the form from that cookie");
my $old_hash = user_hash('bob');
$res = $ua->request(POST front_url('/reset/update'),
    [password => 'bob chose this new one', confirm => 'bob chose this new one']);
is($res->code, 200, 'password changed through the front (back end ' . backend_of($res) . ')');
my $changer = backend_of($res);
my $new_hash = user_hash('bob');
ok($new_hash && $new_hash ne $old_hash, 'new hash in PostgreSQL');
is(scalar(() = wait_mails(2)), 2, 'and the password-changed notice mailed');
# Once, across both: the link and the form cookie are now refused by each.
for my $name (qw(a b)) {
    is(get_via(client('127.0.0.2'), $link, $name)->code, 400,
       "link refused afterwards by back end $name");
}
{
    # A refused POST changes nothing: send it until both have answered.
    my %code;
    for (1 .. 6) {
        my $req = POST front_url('/reset/update'),
            [password => 'a second new password', confirm => 'a second new password'];
        $req->header(Cookie => $form_cookie);
        my $r = client('127.0.0.2')->request($req);
        $code{ backend_of($r) } = $r->code;
        last if keys %code >= 2;
    }
    is(join(',', map { "$_=$code{$_}" } sort keys %code), 'a=400,b=400',
       'the used form cookie is refused by both back ends');
}
is(user_hash('bob'), $new_hash, 'and nothing changed');
# For the record: the lines of the two back ends' logs.
for my $name (qw(a b)) {
    note "back end $name: $_" for grep { /PWR0307|PWR0115|PWR0118|reset\/(?:link|update)/ }
        split /\n/, $back{$name}->log_text . $back{$name}->log_text('access');
}
like($back{$mailer}->log_text, qr/PWR0307.*\bbob\b/, "back end $mailer logged the mail");
like($back{$opener}->log_text, qr/PWR0115.*\bbob\b/, "back end $opener logged the link it accepted");

# 3. The client limit counts across both, for the client mod_remoteip sees.
{
    my $c = client('127.0.0.3');
    my @codes;
    my %by;
    for my $i (1 .. 6) {
        my $r = ask($c, "nobody$i\@example.org");
        push @codes, $r->code;
        $by{ backend_of($r) }++;
    }
    is(join(',', @codes), '200,200,200,200,200,200', 'six POSTs from one client pass');
    is(join(',', sort keys %by), 'a,b', 'served by both back ends');
    my $r = ask($c, 'nobody7@example.org');
    is($r->code, 429, 'the seventh is refused, whichever back end answers ('
       . backend_of($r) . ')');
    ok($r->header('Retry-After'), 'with Retry-After');
    is(ask($c, 'nobody8@example.org')->code, 429, 'and so is the eighth, on the other one');
    is(ask(client('127.0.0.4'), 'nobody9@example.org')->code, 200,
       'another client is not held back (the limit sees the real client)');
    like($back{a}->log_text . $back{b}->log_text, qr/\[client 127\.0\.0\.3:\d+\] PWR0120/,
         'PWR0120 names the client, not the front');
}

# 4. The account limit counts across both, and per account: PostgreSQL's
# lower() folds U+212A KELVIN SIGN into k, so "\x{212A}ate@" is kate's.
# The delivery thread counts per account after the response: each request
# waits until its mail went out or was stopped, as a person would.
{
    clear_mail();
    my $c = client('127.0.0.5');
    my @order = ('kate@example.org', "\x{212A}ate\@example.org",
                 'kate@example.org', "\x{212A}ate\@example.org");
    my (%by, @outcome);
    my $stopped = sub {
        my $logs = $back{a}->log_text . $back{b}->log_text;
        return scalar(() = $logs =~ /PWR0311.*\bkate\b/g);
    };
    for my $email (@order) {
        my ($mails, $held) = (scalar(() = mail_files()), $stopped->());
        my $r = ask($c, $email);
        $by{ backend_of($r) }++;
        my $until = time + 15;
        sleep 0.05 while mail_files() == $mails && $stopped->() == $held
                         && time < $until;
        push @outcome, $r->code . ' ' . (mail_files() > $mails ? 'mailed'
            : $stopped->() > $held ? 'stopped' : 'nothing');
    }
    is(join(', ', @outcome), '200 mailed, 200 mailed, 200 stopped, 200 stopped',
       'kate, K-kate, kate, K-kate: two mails, then PwResetAccountLimit (PWR0311)');
    is(join(',', sort keys %by), 'a,b', 'served by both back ends');
    is(join(',', map { $_->{headers}{to}[0] } wait_mails(2)),
       'kate@example.org,kate@example.org', 'both to the stored address');
}

# 5. What the README promises under simultaneous requests: memcached has no
# atomic increment, so counts made at the same moment on the two back ends
# may overwrite each other.  Within one server they never do.
{
    my $n = 40;
    my @codes = parallel($n,
        sub { ask(client('127.0.0.6'), "flood$_[0]\@example.org")->code });
    my $passed = grep { $_ == 200 } @codes;
    my $refused = grep { $_ == 429 } @codes;
    note "$n simultaneous POSTs from one client, limit 6 on 2 back ends: "
        . "$passed passed, $refused refused";
    is($passed + $refused, $n, 'every simultaneous POST answered 200 or 429');
    cmp_ok($passed, '>=', 6, 'at least the limit passes');
    cmp_ok($passed, '<=', 2 * 6, 'at most the limit times the number of servers');
    is(ask(client('127.0.0.6'), 'after@example.org')->code, 429,
       'and the client is held back afterwards');
}

# 6. Keys rotated on both: links signed with the earlier key keep working.
{
    clear_mail();
    my $c = client('127.0.0.7');
    is(ask($c, 'rita@example.org')->code, 200, 'rita asks, before the rotation');
    my ($m) = wait_mails(1);
    my $old_link = $m ? link_in($m->{text}) : '';
    ok($old_link, 'a link signed with the old key');
    # In two steps, each on every back end before the next: first the new
    # key only verifies, then it signs and the old one only verifies.  (In
    # one step, a back end already signing with the new key could mail a
    # link that one not yet restarted refuses.)
    $back{$_}->reconfigure(backend_conf($_, ['old', 'current'])) for qw(a b);
    $back{$_}->reconfigure(backend_conf($_, ['current', 'old'])) for qw(a b);
    for my $name (qw(a b)) {
        is(get_via(client('127.0.0.7'), $old_link, $name)->code, 303,
           "after the rotation, back end $name still honours the earlier link");
    }
    # Each back end signs with the new key: ask each directly.
    my ($kid_old) = $old_link =~ /token=([^.]+)/;
    for my $pair (['a', 'sam'], ['b', 'tom']) {
        my ($name, $user) = @$pair;
        clear_mail();
        is(ask_reset(client('127.0.0.8'), $back{$name}->base . '/reset/request',
                     "$user\@example.org")->code, 200, "$user asks back end $name after the rotation");
        my ($nm) = wait_mails(1);
        my $new_link = $nm ? link_in($nm->{text}) : '';
        my ($kid_new) = $new_link =~ /token=([^.]+)/;
        ok($kid_new && $kid_new ne ($kid_old // ''), "back end $name signs with the new key (another JWT header)");
        my $other = other($name);
        is(get_via(client('127.0.0.8'), $new_link, $other)->code, 303,
           "back end $other honours it");
    }
}
