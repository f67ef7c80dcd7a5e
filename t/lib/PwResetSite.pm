# SPDX-License-Identifier: Apache-2.0
# A reset site on an httpd of a test's own (PwResetServices::httpd), for the
# tests that break things under it (t/pgsql-faults.t, t/sqlite-faults.t,
# t/restart.t): its configuration, and the requests a person makes.
package PwResetSite;

use strict;
use warnings FATAL => 'all';
use Exporter 'import';
use HTTP::Request::Common qw(GET POST);
use PwResetTest qw(t_dir browser);

our @EXPORT_OK = qw(site_conf site_modules processes ask open_link
    get_form post_form form_cookie);

sub site_modules { qw(dbd socache_shmcb) }

# How many child processes the MPM of this run (PWRESET_TEST_MPM) keeps,
# and the lines that fix them there: prefork two children of one request
# each, the threaded MPMs one child of four threads.
sub processes {
    my $mpm = $ENV{PWRESET_TEST_MPM} || 'event';
    return (2, <<'EOF') if $mpm eq 'prefork';
StartServers 2
MinSpareServers 2
MaxSpareServers 2
ServerLimit 2
MaxRequestWorkers 2
EOF
    return (1, <<'EOF');
StartServers 1
ServerLimit 1
ThreadsPerChild 4
ThreadLimit 4
MaxRequestWorkers 4
MinSpareThreads 1
MaxSpareThreads 4
EOF
}

# The configuration body: the module, a database (driver => ..., params =>
# ...), the three pages under /reset/, mail stored in $o{mail} by
# t/bin/capture-mail (or $o{sendmail}), limits off, a quick bcrypt; then
# $o{extra}.
sub site_conf {
    my (%o) = @_;
    my $T = t_dir();
    my $sendmail = $o{sendmail} // "$T/bin/capture-mail $o{mail}";
    my (undef, $mpm_lines) = processes();
    return <<"EOF" . ($o{extra} // '');
LoadModule pwreset_module "$T/../.libs/mod_pwreset.so"
$mpm_lines
DBDriver $o{driver}
DBDParams "$o{params}"
PwResetSecretFile "$T/conf/keys/current.key"
PwResetLinkURL http://127.0.0.1:$o{port}/reset/link
PwResetUpdateURL /reset/update
PwResetRequestURL /reset/request
PwResetMailFrom no-reply\@example.org
PwResetSendmail "$sendmail"
PwResetBcryptCost 4
PwResetClientLimit off
PwResetAccountLimit off
<Location /reset/request>
    SetHandler pwreset-request
</Location>
<Location /reset/link>
    SetHandler pwreset-link
</Location>
<Location /reset/update>
    SetHandler pwreset-update
</Location>
EOF
}

# POST an address to the request page of the site at $base.
sub ask {
    my ($base, $email, $ua) = @_;
    return ($ua // browser())->request(POST "$base/reset/request",
        [email => $email]);
}

# GET a link (a URL, or a token for the site at $base) with $ua.
sub open_link {
    my ($ua, $base, $token) = @_;
    return $ua->get($token =~ m{^http} ? $token
                    : "$base/reset/link?token=$token");
}

# The form, and posting it, with a form cookie given as a token or kept
# in $ua's jar.
sub get_form {
    my ($ua, $base, $form_token) = @_;
    return $ua->request(GET "$base/reset/update",
        $form_token ? (Cookie => "pwreset_form=$form_token") : ());
}

sub post_form {
    my ($ua, $base, $password, $form_token) = @_;
    my $req = POST "$base/reset/update",
        [password => $password, confirm => $password];
    $req->header(Cookie => "pwreset_form=$form_token") if $form_token;
    return $ua->request($req);
}

# The form cookie a 303 from the link set, or '' when it cleared it.
sub form_cookie {
    my ($res) = @_;
    my ($v) = ($res->header('Set-Cookie') // '') =~ /^pwreset_form=([^;]*)/;
    return $v;
}

1;
