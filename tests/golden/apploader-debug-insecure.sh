# Started by the image's ENTRYPOINT (/bin/bash /gramine/app_files/apploader.sh): runs the app
# inside Gramine. GRAMINE_MODE=sgx (default) or direct; GSC_PAL=Linux also means direct.
set -e
set -x
mode=${GRAMINE_MODE:-}
if [ -z "$mode" ]; then
  if [ "${GSC_PAL:-}" = "Linux" ]; then mode=direct; else mode=sgx; fi
fi
case "$mode" in
  sgx)
    # The SGX loader's one library beyond libc, copied from the Gramine image.
    export LD_LIBRARY_PATH='/gramine/meson_build_output/lib/x86_64-linux-gnu/gsc'${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ;;
  direct) ;;
  *) echo "apploader: GRAMINE_MODE must be \`sgx\` or \`direct\`, not \`$mode\`" >&2; exit 1 ;;
esac
exec /gramine/meson_build_output/bin/gramine-$mode /gramine/app_files/entrypoint 'it'\''s' '--x' "$@"
