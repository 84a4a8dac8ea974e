#!/usr/bin/env bash
# tests/tls/mkcerts.sh -- makes the TLS tests' certificates and keys with openssl (EC P-256: fast handshakes)
#
# usage: tests/tls/mkcerts.sh DIR
# Writes into DIR (created):
#   ca.pem ca.key            the test CA ("aiod test CA"); cadir/ holds ca.pem under its hash name
#   server.pem server.key    CN localhost; SAN DNS:localhost, IP:127.0.0.1, IP:::1; signed by the CA
#   server2.pem server2.key  the same names, another key and O=rotated (certificate rotation)
#   expired.pem expired.key  the same names, valid 2020-01-01 to 2020-01-02 only
#   wronghost.pem wronghost.key  CN/SAN wrong.example only
#   selfsigned.pem selfsigned.key  CN/SAN localhost, signed by itself
#   client.pem client.key    CN aiod test client, for client authentication
#   server-enc.key           server.key encrypted with the password "secret"
#   other.key                a key that matches no certificate
#   garbage.pem              a file that is no certificate
#   empty.pem, emptydir/     a store without certificates
set -euo pipefail
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir/cadir" "$dir/emptydir" "$dir/db"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Signs NAME.key's request with the CA; $2: subject, $3: extensions, then ca(1) dates if any.
sign() {
	local name=$1 subj=$2 ext=$3; shift 3
	openssl req -new -key "$name.key" -subj "$subj" -out "db/$name.csr"
	printf '%s\n' "$ext" >"db/$name.ext"
	openssl ca -batch -config db/ca.cnf -notext -in "db/$name.csr" -out "$name.pem" \
		-extfile "db/$name.ext" "$@" 2>/dev/null
}

cat >db/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = $PWD/db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
default_days = 3650
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
CNF
: >db/index.txt
echo 1000 >db/serial

key ca.key
openssl req -x509 -new -key ca.key -subj "/O=aiod tests/CN=aiod test CA" -days 3650 \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out ca.pem
cp ca.pem "cadir/$(openssl x509 -noout -hash -in ca.pem).0"

server_ext="basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

key server.key
sign server "/O=aiod tests/CN=localhost" "$server_ext"
key server2.key
sign server2 "/O=rotated/CN=localhost" "$server_ext"
key expired.key
sign expired "/O=aiod tests/CN=localhost" "$server_ext" -startdate 20200101000000Z -enddate 20200102000000Z
key wronghost.key
sign wronghost "/O=aiod tests/CN=wrong.example" "basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:wrong.example"
key client.key
sign client "/O=aiod tests/CN=aiod test client" "basicConstraints=CA:FALSE
extendedKeyUsage=clientAuth"

key selfsigned.key
openssl req -x509 -new -key selfsigned.key -subj "/CN=localhost" -days 3650 \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out selfsigned.pem

openssl pkey -in server.key -aes256 -passout pass:secret -out server-enc.key
key other.key
echo "this is not a certificate" >garbage.pem
: >empty.pem
