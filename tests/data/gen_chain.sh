#!/bin/bash
# One certificate chain per curve (P-256, P-384) for the test identities: a root, an
# intermediate and a leaf carrying one of DMTF's SPDM EKUs (DSP0274 Table "SPDM OIDs";
# x509.hpp check_spdm_leaf): 1.3.6.1.4.1.412.274.3 responder auth, .4 requester auth.
# Test keys only (OpenSSL 3 CLI, bash for the process substitutions). The outputs are committed;
# the per-directory gen.sh scripts say with which arguments they were made.
#
#   gen_chain.sh <dir prefix> <EKU OID> <leaf role name> [name prefix]
# writes <prefix>256/ and <prefix>384/ below the working directory: ca.cert.der,
# inter.cert.der, leaf.cert.der, chain.der (root, intermediate, leaf), leaf.key.pem.
set -e
prefix=$1 eku=$2 role=$3 name=${4:-}
[ -n "$prefix" ] && [ -n "$eku" ] && [ -n "$role" ] || { echo "usage: $0 <dir prefix> <EKU OID> <leaf role> [name prefix]" >&2; exit 2; }
for c in 256 384; do
  d=$prefix$c; mkdir -p "$d"; cd "$d"
  curve=prime256v1; md=sha256; [ $c = 384 ] && curve=secp384r1 && md=sha384
  openssl ecparam -name $curve -genkey -noout -out ca.key.pem
  openssl ecparam -name $curve -genkey -noout -out inter.key.pem
  openssl ecparam -name $curve -genkey -noout -out leaf.key.pem
  cat > ext.cnf <<EOT
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[inter]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
extendedKeyUsage=$eku
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOT
  openssl req -new -x509 -key ca.key.pem -$md -days 36500 -subj "/CN=pmci test ${name}root P-$c" -extensions ca -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat ext.cnf) -outform DER -out ca.cert.der
  openssl req -new -key inter.key.pem -$md -subj "/CN=pmci test ${name}intermediate P-$c" -out inter.csr
  openssl x509 -req -in inter.csr -CA ca.cert.der -CAform DER -CAkey ca.key.pem -$md -days 36500 -set_serial 2 -extfile ext.cnf -extensions inter -outform DER -out inter.cert.der
  openssl req -new -key leaf.key.pem -$md -subj "/CN=pmci test $role P-$c" -out leaf.csr
  openssl x509 -req -in leaf.csr -CA inter.cert.der -CAform DER -CAkey inter.key.pem -$md -days 36500 -set_serial 3 -extfile ext.cnf -extensions leaf -outform DER -out leaf.cert.der
  cat ca.cert.der inter.cert.der leaf.cert.der > chain.der
  rm -f ./*.csr ext.cnf ca.key.pem inter.key.pem
  openssl verify -CAfile <(openssl x509 -inform DER -in ca.cert.der) -untrusted <(openssl x509 -inform DER -in inter.cert.der) <(openssl x509 -inform DER -in leaf.cert.der)
  cd ..
done
