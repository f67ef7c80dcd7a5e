# SPDX-License-Identifier: Apache-2.0
# The whole flow with DBDriver mysql, against a MariaDB server this test
# starts for itself with conf/schema-mysql.sql and the lookup README.md
# gives for it, and mod_authn_dbd logging in from the same table afterwards.
# The server keeps Debian's default collation, utf8mb4_general_ci; the
# schema's own, utf8mb4_bin, is what keeps t/unicode.t's look-alikes from
# finding another's account, and this shows both.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use FindBin ();
use lib "$FindBin::Bin/lib";
use PwResetTest qw(t_dir clear_mail mail_files wait_mails link_in
    ask_reset make_token);
use PwResetServices qw(mariadb httpd);
use PwResetSite qw(processes slow_factor log_if_failing reset_locations);
use LWP::UserAgent;
use HTTP::Cookies;
use HTTP::Request::Common qw(POST);
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(sleep time);

my @lookalikes = (
    # typed address                           what it is          reaches
    ["m\x{EF}ke\@example.org",                 'i with diaeresis',  ''],
    ["m\x{131}ke\@example.org",                'dotless i',         ''],
    ["\x{FF4D}\x{FF49}\x{FF4B}\x{FF45}\@example.org", 'fullwidth mike', ''],
    ["mike\x{200B}\@example.org",              'zero-width space',  ''],
    ["mike\@\x{435}xample.org",                'Cyrillic e',        ''],
    # Unicode's lower-case mappings, which lower() applies as PostgreSQL's
    # does: the account's own address is mailed.
    ["mi\x{212A}e\@example.org",               'Kelvin sign for k', 'mike'],
    ["M\x{130}KE\@example.org",                'capital dotted I',  'mike'],
    ['MIKE@EXAMPLE.ORG',                       'upper case',        'mike'],
);

plan tests => 21 + 2 * @lookalikes + 8;

my $T = t_dir();
my $module = "$T/../.libs/mod_pwreset.so";
-f $module or BAIL_OUT("no $module");

my $db = mariadb();
my $dbh = $db->{dbh};
$db->load_schema("$T/../conf/schema-mysql.sql");
sub user_hash { $db->user_hash(@_) }
$db->add_user('alice', 'Alice@Example.org', 'old password of alice');
$db->add_user('mike', 'mike@example.org', 'old password of mike');
# The lookup README.md gives for this schema: through its index.
my $lookup = 'SELECT username, email, password FROM users WHERE email_lower = lower(%s)';

# The child processes of t/lib/PwResetSite.pm and the connections each
# keeps (all opened as it starts): the most that can be open when MariaDB
# restarts, and so the most requests that may fail after it.
my ($children, $mpm_lines) = processes();
my $dbd_max = 2;
my $bound = $children * $dbd_max;

my $port = PwResetServices::free_port();
my $site = "127.0.0.1:$port";
my $locations = reset_locations();
my $web = httpd(name => 'mariadb', port => $port, loglevel => 'info pwreset:debug',
    modules => [qw(dbd alias authn_core authn_dbd auth_basic authz_user)],
    conf => <<"EOF");
LoadModule pwreset_module "$module"
$mpm_lines
DBDriver mysql
DBDMin $dbd_max
DBDKeep $dbd_max
DBDMax $dbd_max
DBDParams "$db->{dbd_params}"
PwResetSecretFile "$T/conf/keys/current.key"
PwResetLinkURL "http://$site/reset/link"
PwResetRequestURL /reset/request
PwResetUpdateURL /reset/update
PwResetMailFrom no-reply\@example.org
PwResetSendmail "$T/bin/capture-mail $T/var/mail"
PwResetUserByEmailQuery "$lookup"
PwResetBcryptCost 4
PwResetAccountLimit off
PwResetClientLimit off
$locations
Alias /private "$T/private"
<Location /private>
    AuthType Basic
    AuthName "mod_pwreset on MariaDB"
    AuthBasicProvider dbd
    AuthDBDUserPWQuery "SELECT password FROM users WHERE username = %s"
    Require valid-user
</Location>
EOF

my $ua = LWP::UserAgent->new(max_redirect => 0, timeout => 30,
    cookie_jar => HTTP::Cookies->new);
sub u { "http://$site$_[0]" }
sub ask { ask_reset(LWP::UserAgent->new(timeout => 30), u('/reset/request'), $_[0]) }
# The delivery thread says when an address matched no account (PWR0302, at
# debug); wait for the next such line rather than for a while.
sub nobodies { scalar(() = $web->log_text =~ /PWR0302/g) }
sub wait_nobody {
    my ($before) = @_;
    my $until = time + 15 * slow_factor();
    sleep 0.05 while nobodies() == $before && time < $until;
    return nobodies() > $before;
}
sub login {
    my ($user, $password) = @_;
    return $ua->get(u('/private/index.html'), Authorization => 'Basic '
        . encode_base64("$user:$password", ''))->code;
}

# The flow.
clear_mail();
is(login('alice', 'old password of alice'), 200, 'the old password logs in (mod_authn_dbd on MariaDB)');
is($ua->get(u('/reset/request'))->code, 200, 'request form');
my $known = ask('alice@example.ORG');
is($known->code, 200, 'request for alice');
my $none = nobodies();
my $unknown = ask('nobody@example.org');
is($unknown->code, 200, 'request for an unknown address');
is($unknown->content, $known->content, 'the same page, byte for byte');
ok(wait_nobody($none), 'the unknown address matched no account (PWR0302)');
my @mails = wait_mails(1);
is(scalar(@mails = mail_files()), 1, 'one mail: for alice, none for the unknown address');
my ($mail) = wait_mails(1);
is($mail->{headers}{to}[0], 'Alice@Example.org', 'to the stored address');
my $link = link_in($mail->{text});
like($link // '', qr{^\Qhttp://$site/reset/link?token=\E}, 'the link');
my $res = $ua->get($link);
is($res->code, 303, 'link accepted');
is($ua->get(u('/reset/update'))->code, 200, 'new-password form');
my $old_hash = user_hash('alice');
$res = $ua->request(POST u('/reset/update'),
    [password => 'seven lanterns over the harbour', confirm => 'seven lanterns over the harbour']);
is($res->code, 200, 'password changed');
like($res->content, qr/Password changed/, 'success page');
is(scalar(() = wait_mails(2)), 2, 'and the password-changed notice mailed');
my $new_hash = user_hash('alice');
like($new_hash, qr/^\$2y\$04\$/, 'a bcrypt hash in MariaDB');
isnt($new_hash, $old_hash, 'replacing the old one');
is(login('alice', 'seven lanterns over the harbour'), 200, 'the new password logs in');
is(login('alice', 'old password of alice'), 401, 'the old one no longer does');
is(LWP::UserAgent->new(max_redirect => 0)->get($link)->code, 400, 'the link works once');
like($web->log_text, qr/PWR0118: password of user alice changed/, 'PWR0118 logged');
note "MariaDB flow: " . join ' | ', grep { /PWR01(15|18)|PWR0307/ } split /\n/, $web->log_text;
unlike($web->log_text, qr/\[pwreset:(?:error|crit|alert|emerg)\]/, 'no errors logged');

# The look-alikes, each on its own.
for my $c (@lookalikes) {
    my ($email, $what, $reaches) = @$c;
    clear_mail();
    my $none = nobodies();
    is(ask($email)->code, 200, "$what: the usual page");
    my @got;
    if ($reaches) {
        @got = wait_mails(1);
    } else {
        wait_nobody($none) or diag "$what: no PWR0302 within 15 s";
        @got = mail_files();
    }
    is(join(',', map { ref $_ ? $_->{headers}{to}[0] : $_ } @got),
       $reaches ? "$reaches\@example.org" : '',
       "$what: " . ($reaches ? "$reaches, at the stored address" : 'nobody'));
}

# The lookup goes through the index; the default one would read every row.
my $plan = $dbh->selectrow_hashref('EXPLAIN ' . ($lookup =~ s/%s/?/r), undef,
    'mike@example.org');
is($plan->{key} // 'no index', 'users_email_ci', 'the lookup uses the email_lower index');

# Why utf8mb4_bin: the default collation would have matched these two.
is(scalar $dbh->selectrow_array(
       "SELECT 'mike\@example.org' = ? COLLATE utf8mb4_general_ci", undef,
       "m\x{EF}ke\@example.org"), 1,
   'utf8mb4_general_ci would find mike for m\x{EF}ke');
is(scalar $dbh->selectrow_array(
       "SELECT COUNT(*) FROM users WHERE lower(email) = lower(?)", undef,
       "m\x{EF}ke\@example.org"), 0,
   'the schema\'s utf8mb4_bin does not');

# MariaDB restarted between two requests: apr_dbd_mysql reconnects a pooled
# connection by itself, and the statements prepared on it before are dead
# then; the module prepares them afresh after a failure.  Each connection
# kept open fails once at most, with the usual 503 and Retry-After (at most
# DBDMax x the child processes: the bound README.md gives); then links work
# again, httpd untouched.
{
    my $token = make_token(sub => 'mike', hash => user_hash('mike'));
    my $link = "http://$site/reset/link?token=$token";
    is(LWP::UserAgent->new(max_redirect => 0)->get($link)->code, 303,
       'a link works before MariaDB restarts');
    $db->pause;
    $db->resume;
    $dbh = $db->{dbh};
    my @res = map { LWP::UserAgent->new(max_redirect => 0)->get($link) } 1 .. 20;
    my @codes = map { $_->code } @res;
    my @failed = grep { $_->code == 503 } @res;
    note "after the restart: @codes; the bound is $bound ($children child "
       . "processes x DBDMax $dbd_max)";
    is(join(' ', grep { $_ != 303 && $_ != 503 } @codes), '',
       'MariaDB restarted: every answer a 303 or a 503');
    is(scalar(grep { ($_->header('Retry-After') // '') ne '60' } @failed), 0,
       'every 503 with Retry-After');
    cmp_ok(scalar @failed, '<=', $bound,
           "at most $bound requests fail (one per connection kept open)");
    is("@codes[-5 .. -1]", '303 303 303 303 303', 'then links work again');
}

END { log_if_failing($web) }
