# gsc stage image: python:3 with the Gramine runtime of gramine:1.9.
# Only COPY steps: the app image needs no shell, package manager or network for this.
FROM sha256:gramine AS gramine
FROM sha256:app

COPY --from=gramine /gramine/meson_build_output /gramine/meson_build_output
COPY --from=gramine /usr/lib64/libprotobuf-c.so.1 /gramine/meson_build_output/lib64/gsc/
COPY app_files/ /gramine/app_files/
