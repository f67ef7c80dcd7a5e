#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Started as root, httpd reads the key files before it drops privileges:
# a key its run-time user or group can read is worth a warning (PWR0009);
# one only root can read is not.  Needs root, so it runs in "make check"
# before the Apache::Test suite drops to an unprivileged user; skipped
# otherwise.
use strict;
use warnings FATAL => 'all';
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use Cwd qw(abs_path);
use FindBin ();

plan skip_all => 'needs root (httpd reads the key as root)' if $> != 0;
my $top   = abs_path($ENV{PWRESET_BUILDDIR} || "$FindBin::Bin/../..");
my $so    = "$top/.libs/mod_pwreset.so";
plan skip_all => "$so is not built" unless -f $so;
plan tests => 6;

my $httpd = $ENV{APACHE_TEST_HTTPD} || '/usr/sbin/apache2';
my $mods  = '/usr/lib/apache2/modules';
my $dir   = tempdir('pwreset-rootkeys-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $uid   = getpwnam('nobody') // die "no user nobody\n";
my $gid   = getgrnam('nogroup') // die "no group nogroup\n";

sub spew { my ($f, $s) = @_; open my $fh, '>', $f or die "$f: $!"; print $fh $s; close $fh }
sub slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; <$fh> }

# Start httpd as root with one key file, stop it, return its error log.
sub start_stop {
    my ($key) = @_;
    my $port = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0)->sockport;
    my $conf = "$dir/httpd.conf";
    spew($conf, <<"EOF");
ServerName 127.0.0.1
Listen 127.0.0.1:$port
User nobody
Group nogroup
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error.log"
DefaultRuntimeDir "$dir"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule dbd_module $mods/mod_dbd.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule pwreset_module "$so"
DBDriver sqlite3
DBDParams "$dir/users.db"
PwResetSecretFile "$key"
EOF
    unlink "$dir/error.log", "$dir/httpd.pid";
    system($httpd, '-f', $conf, '-k', 'start') == 0 or return "start failed\n" . slurp("$dir/error.log");
    my $until = time + 15;
    sleep 0.05 until -s "$dir/httpd.pid" || time > $until;
    system($httpd, '-f', $conf, '-k', 'stop');
    sleep 0.05 while -e "$dir/httpd.pid" && time < $until + 15;
    return slurp("$dir/error.log");
}

my $key = "$dir/pwreset.key";
spew($key, ('r' x 48) . "\n");

chown 0, $gid, $key;
chmod 0640, $key;
my $log = start_stop($key);
like($log, qr/PWR0009: PwResetSecretFile '\Q$key\E' can be read or written by the group httpd runs as \(nogroup\)/,
     'a key the run-time group can read: warned');
is(() = $log =~ /PWR0009/g, 1, '  once');

chown $uid, 0, $key;
chmod 0600, $key;
$log = start_stop($key);
like($log, qr/PWR0009: .* can be read or written by the user httpd runs as \(nobody\)/,
     'a key the run-time user owns: warned');

chown 0, 0, $key;
chmod 0600, $key;
$log = start_stop($key);
unlike($log, qr/PWR0009/, 'root:root 0600: no warning');
like($log, qr/resuming normal operations/, '  and httpd ran');

chown 0, $gid, $key;
chmod 0600, $key;
unlike(start_stop($key), qr/PWR0009/, 'group nogroup but 0600: no warning');
