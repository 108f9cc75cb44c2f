# gsc stage image: python:3 with the Gramine runtime of gramine:1.9.
# Only COPY and metadata steps: the app image needs no shell, package manager, libc or network.
FROM sha256:gramine AS gramine
FROM sha256:app
# Every step image of gsc's builds carries gsc.build: what a failed or killed build left is
# found by it (`gsc prune`), and nothing another client builds on the same image is.
LABEL "gsc.build"="stage-0123456789abcdef"
COPY --from=gramine /gramine /gramine

# What starts the enclave, outside it: gsc-launch, Gramine's SGX loader and the dynamic linker
# and libraries that loader needs, from the Gramine image. Nothing of the app image runs there.
COPY gsc/ /gramine/gsc/
COPY app_files/ /gramine/app_files/
# How the image starts and what it says about itself; none of it depends on the manifest, so a
# rebuild after a manifest change finds all of it in the build cache.
# Gramine's programs by name for whoever enters the container (`gramine-direct`), as in the
# original's images; the enclave's PATH is the manifest's. Which PAL runs the app
# (GRAMINE_MODE=sgx|direct, GSC_PAL=Linux) is chosen by `docker run -e` only: empty here, so
# that no ENV of the app image can take the app out of SGX.
ENV PATH="/gramine/meson_build_output/bin:/opt/\$x:/bin" GRAMINE_MODE= GSC_PAL=
# gsc-launch: a static program that needs nothing of the image (no shell, no libc).
ENTRYPOINT ["/gramine/gsc/launch","--pal-dir","/p","--"]
CMD ["a","b c"]
LABEL "gsc.tool"="gsc" "q"="say \"\$HOME\" "
