# Bundles programs with every shared library they load and the dynamic loader, so that they
# run on an image where none of it is installed (gsc installs no package into app images):
#   DEST/bin/TOOL      runs DEST/libexec/TOOL through DEST/lib's loader and libraries
#   DEST/lib/          the libraries as ldd lists them, and the loader
# gdb also gets its data directory (its Python package), the Python standard library of the
# libpython it links, in DEST/lib/pythonX.Y (or lib64/), and pyelftools there, which Gramine's
# gdb scripts import: PYTHONHOME for gdb alone, never for the program it debugs.
# Usage: sh bundle-debug-tools.sh DEST TOOL...
set -eu
dest=$1
shift
mkdir -p "$dest/bin" "$dest/lib" "$dest/libexec"

libraries() {  # the absolute paths ldd names for $1: libraries, then the loader
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

loader=
for tool in "$@"; do
  path=$(command -v "$tool")
  cp -L "$path" "$dest/libexec/$tool"
  for lib in $(libraries "$path"); do
    [ -e "$dest/lib/${lib##*/}" ] || cp -L "$lib" "$dest/lib/"
    case "${lib##*/}" in ld-linux*) loader=${lib##*/} ;; esac
  done
done
[ -n "$loader" ] || { echo "bundle-debug-tools: no dynamic loader in ldd's output" >&2; exit 1; }

for tool in "$@"; do
  extra=
  if [ "$tool" = gdb ]; then
    cp -a /usr/share/gdb "$dest/gdb-data"
    python=$(libraries "$(command -v gdb)" | sed -n 's|.*/lib\(python3\.[0-9]*\)\.so.*|\1|p' | head -n 1)
    if [ -n "$python" ]; then
      elftools=$("$python" -c 'import elftools, os; print(os.path.dirname(elftools.__file__))')
      for dir in lib lib64; do
        if [ -d "/usr/$dir/$python" ]; then
          mkdir -p "$dest/$dir"
          cp -a "/usr/$dir/$python" "$dest/$dir/"
          rm -rf "$dest/$dir/$python/test" "$dest/$dir/$python/idlelib" "$dest/$dir/$python/tkinter"
          cp -a "$elftools" "$dest/$dir/$python/"
        fi
      done
    fi
    extra="--data-directory=$dest/gdb-data -iex 'unset environment PYTHONHOME'"
    prefix="PYTHONHOME=$dest "
  else
    prefix=
  fi
  cat >"$dest/bin/$tool" <<WRAPPER
#!/bin/sh
exec ${prefix:+env $prefix}"$dest/lib/$loader" --library-path "$dest/lib" "$dest/libexec/$tool" $extra "\$@"
WRAPPER
  chmod 755 "$dest/bin/$tool"
done
echo "bundle-debug-tools: $* in $dest ($(du -sh "$dest" | cut -f1))"
