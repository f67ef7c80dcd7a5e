# SPDX-License-Identifier: Apache-2.0
# PostgreSQL stopped under a running httpd and started again, and an update
# that the database refuses.  While the database is away, the request page
# stays the usual one and a link or the form answers 503 with Retry-After;
# once it is back, everything works again without touching httpd, after at
# most one failure for each connection mod_dbd kept open (DBDMax per child
# process): the bound README.md gives, measured here.  An update that fails
# leaves the account as it was, says to try again, and the same form cookie
# works once the database takes writes again.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(t_dir make_token browser link_in);
use PwResetServices qw(free_port postgres httpd);
use PwResetSite qw(site_conf site_modules processes ask open_link get_form
    post_form form_cookie log_since wait_site_log wait_mails_in parallel
    log_if_failing);

plan tests => 38;

my $T = t_dir();
-f "$T/../.libs/mod_pwreset.so" or BAIL_OUT('no .libs/mod_pwreset.so');

my $pg = postgres();
$pg->load_schema("$T/../conf/schema.sql");
$pg->add_user('paula', 'paula@example.org', 'old password of paula');
$pg->add_user('pete', 'pete@example.org', 'old password of pete');

# Every connection mod_dbd may keep is opened when a child starts and kept:
# the most that can be open when the database goes away.
my $dbd_max = 2;
my ($children) = processes();
my $bound = $children * $dbd_max;
my $mail = PwResetServices::scratch('mail');
my $port = free_port();
my $site = httpd(name => 'pgsql-faults', port => $port,
    modules => [site_modules()],
    conf => site_conf(port => $port, driver => 'pgsql',
        params => $pg->{dbd_params}, mail => $mail, extra => <<"EOF"));
DBDMin $dbd_max
DBDKeep $dbd_max
DBDMax $dbd_max
EOF
my $base = $site->base;

sub link_token { make_token(sub => $_[0], hash => $pg->user_hash($_[0])) }
sub form_token {
    make_token(sub => $_[0], hash => $pg->user_hash($_[0]), purpose => 'form')
}

# 1. Up: the usual answers, for comparison.
my $usual = ask($base, 'nobody@example.org');
is($usual->code, 200, 'the request page answers');
is(open_link(browser(), $base, link_token('paula'))->code, 303, 'a link works');
# A mail, so that the delivery thread is idle when the database goes.
ask($base, 'pete@example.org');
is(scalar(() = wait_mails_in($mail, 1)), 1, 'a reset mail goes out');
unlink glob "$mail/*.eml";

# 2. A restart between two requests (systemctl restart postgresql): every
# connection mod_dbd keeps was open before it, and is used only after it.
# Only links are asked (no POST), so the delivery thread, idle, uses none of
# them meanwhile: the links' failures are all there is to count.
$pg->pause;
$pg->resume;
my ($failed, @codes) = recover(link_token('paula'));
note "after a restart: link answers @codes; the bound is $bound "
   . "($children child processes x DBDMax $dbd_max)";
ok(!grep({ $_ != 303 && $_ != 503 } @codes), 'restarted: every answer a 303 or a 503');
cmp_ok($failed, '<=', $bound,
       "restarted: at most $bound requests fail (one per connection kept open)");
is(join(' ', map { open_link(browser(), $base, link_token('paula'))->code } 1 .. 6),
   '303 303 303 303 303 303', 'restarted: then every link works');

# 3. Down.
my $hash_paula = $pg->user_hash('paula');
my $form_paula = form_token('paula');
my $link_paula = link_token('paula');
$pg->pause;
my $from = length $site->log_text;
for my $email ('paula@example.org', 'nobody@example.org') {
    my $res = ask($base, $email);
    is($res->code, 200, "down: the request page's usual status ($email)");
    is($res->content, $usual->content, "down: the usual page, byte for byte ($email)");
}
ok(wait_site_log($site, qr/PWR0301/, $from),
   'down: the lookup of the delivery thread fails, and says so (PWR0301)');
my $res = open_link(browser(), $base, $link_paula);
is($res->code, 503, 'down: a valid link answers 503');
is($res->header('Retry-After'), '60', 'down: with Retry-After');
like($res->content, qr/try again/i, 'down: a page saying to try again');
is($res->header('Cache-Control'), 'no-store', 'down: the usual headers');
is(get_form(browser(), $base, $form_paula)->code, 503, 'down: the form answers 503');
$res = post_form(browser(), $base, 'violet kettle of seven drums', $form_paula);
is($res->code, 503, 'down: posting the form answers 503');
is($res->header('Retry-After'), '60', 'down: with Retry-After');
like(log_since($site, $from), qr/PWR0102: no database connection|PWR020[1-5]/,
     'down: the failures are logged');
unlike(log_since($site, $from), qr/AH00052|Segmentation|segfault/, 'down: no child crashed');

# 4. Back, httpd untouched.  Each connection that was open when the
# database went away and was not used meanwhile fails at its next use
# (libpq learns only then that its session was ended), once; one that
# failed while the database was away has been dropped.  Links are asked
# four at a time, so that every connection of a child is used, until a
# round passes whole.  The delivery thread's lookups for the two addresses
# asked for above failed while the database was away (PWR0301); no POST
# comes meanwhile, so it uses no connection here: only the links count.
$pg->resume;
($failed, @codes) = recover($link_paula);
note "after the database came back: link answers @codes; the bound is "
   . "$bound ($children child processes x DBDMax $dbd_max)";
ok(!grep({ $_ != 303 && $_ != 503 } @codes), 'back: every answer a 303 or a 503');
cmp_ok($failed, '<=', $bound,
       "back: at most $bound requests fail (one per connection kept open)");
my @after = map { open_link(browser(), $base, $link_paula)->code } 1 .. 8;
is("@after", join(' ', ('303') x 8), 'back: then every link works');
@after = parallel(4, sub { open_link(browser(), $base, $link_paula)->code });
is("@after", '303 303 303 303', 'back: also four at a time');

# The whole flow, without restarting httpd.
$res = ask($base, 'paula@example.org');
is($res->content, $usual->content, 'back: the request page');
my ($m) = wait_mails_in($mail, 1);
my $link = $m ? link_in($m) : undef;
ok($link, 'back: the reset mail went out');
my $ua = browser();
$res = open_link($ua, $base, $link // '');
is($res->code, 303, 'back: its link works');
is($pg->user_hash('paula'), $hash_paula, 'nothing changed while the database was away');
$res = post_form($ua, $base, 'violet kettle of seven drums');
is($res->code, 200, 'back: the password is changed');
isnt($pg->user_hash('paula'), $hash_paula, 'back: the new hash is in the table');

# 5. An update the database refuses (a trigger that raises): the account
# is unchanged, the person is told to try again, the form cookie is kept,
# and works once the database takes the update.
$pg->{dbh}->do(<<'EOF');
CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$
EOF
$pg->{dbh}->do('CREATE TRIGGER refuse BEFORE UPDATE ON users '
             . 'FOR EACH ROW EXECUTE FUNCTION refuse_update()');
my $hash_pete = $pg->user_hash('pete');
$ua = browser();
$res = open_link($ua, $base, link_token('pete'));
is($res->code, 303, 'pete opens his link');
$from = length $site->log_text;
$res = post_form($ua, $base, 'amber lantern over quiet hills');
is($res->code, 503, 'the update fails: 503');
like($res->content, qr/try again/i, 'the page says to try again');
is(form_cookie($res), undef, 'the form cookie is kept');
is($pg->user_hash('pete'), $hash_pete, 'the account is unchanged');
like(log_since($site, $from), qr/PWR0205: updating the password of pete failed: [^\n]*injected failure/,
     'the failure is logged (PWR0205)');
$pg->{dbh}->do('DROP TRIGGER refuse ON users');
$res = post_form($ua, $base, 'amber lantern over quiet hills');
is($res->code, 200, 'the same form works once the database takes the update');
isnt($pg->user_hash('pete'), $hash_pete, 'and the new hash is stored');

# Links asked four at a time, so that every connection of a child is used,
# until a round passes whole: how many failed, and every answer.
sub recover {
    my ($token) = @_;
    my ($failed, $rounds, @codes) = (0, 0);
    while ($rounds++ < 10) {
        my @round = parallel(4, sub { open_link(browser(), $base, $token)->code });
        push @codes, @round;
        my $bad = grep { $_ != 303 } @round;
        $failed += $bad;
        last if !$bad;
    }
    return ($failed, @codes);
}

END { log_if_failing($site) }
