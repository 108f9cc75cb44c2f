# gsc final layer: the manifest; how the image starts.
FROM sha256:stage
COPY app_files/ /gramine/app_files/
# Gramine's programs by name for whoever enters the container (`gramine-direct`), as in the
# original's images; the enclave's PATH is the manifest's.
ENV PATH="/gramine/meson_build_output/bin:/opt/\$x:/bin"
# Which PAL runs the app (GRAMINE_MODE=sgx|direct, GSC_PAL=Linux) is chosen by `docker run -e`
# only: empty here, so that no ENV of the app image can take the app out of SGX.
ENV GRAMINE_MODE= GSC_PAL=
# gsc-launch: a static program that needs nothing of the image (no shell, no libc).
ENTRYPOINT ["/gramine/gsc/launch","--pal-dir","/p","--"]
CMD ["a","b c"]
LABEL "gsc.tool"="gsc" "q"="say \"\$HOME\" "
