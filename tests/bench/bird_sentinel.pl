#!/usr/bin/perl
# bird_sentinel.pl ALERT - the benchmark's baseline of the 2010 design: one
# Perl process per alert, started by swatchdog, that loads Net::Twitter and
# posts the alert (v1.1 statuses/update, as that article's "status updates"
# alternative).  Written for the comparison; not part of the product.
# The credentials file (key=value lines) and the API base come from the
# environment: BENCH_CREDENTIALS, BENCH_API (e.g. http://127.0.0.1:PORT).
use strict;
use warnings;
use Encode qw(decode);
use Net::Twitter;

my $alert = decode('UTF-8', shift @ARGV // die "usage: bird_sentinel.pl ALERT\n");
my %c;
open(my $fh, '<', $ENV{BENCH_CREDENTIALS}) or die "credentials: $!\n";
while (<$fh>) {
	chomp;
	$c{$1} = $2 if /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/;
}
close($fh);
my $nt = Net::Twitter->new(
	traits              => [qw/API::RESTv1_1 OAuth/],
	consumer_key        => $c{consumer_key},
	consumer_secret     => $c{consumer_secret},
	access_token        => $c{access_token},
	access_token_secret => $c{access_token_secret},
	apiurl              => "$ENV{BENCH_API}/1.1",
	ssl                 => 0,
);
$nt->update($alert);
