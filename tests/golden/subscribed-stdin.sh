set -eu
umask 077
mkdir -p '/etc/pki/entitlement'
mkdir -p '/etc/zypp/credentials.d'
mkdir -p '/run/gsc-install'
cat > '/etc/pki/entitlement/1.pem' <<'GSC_END_OF_FILE'
-----BEGIN X-----
$(not expanded) `nor this`
-----END X-----
GSC_END_OF_FILE
cat > '/etc/zypp/credentials.d/SCCcredentials' <<'GSC_END_OF_FILE_1'
GSC_END_OF_FILE
no final newline
GSC_END_OF_FILE_1
umask 022
cat > '/run/gsc-install/install-deps.sh' <<'GSC_END_OF_FILE'
echo install
GSC_END_OF_FILE
exec sh /run/gsc-install/install-deps.sh </dev/null
