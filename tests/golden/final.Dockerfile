# gsc final layer: the manifest and the link to the app's binary; how the image starts.
FROM sha256:stage
COPY app_files/ /gramine/app_files/
# Gramine's programs by name for whoever enters the container (`gramine-direct`), as in the
# original's images; the enclave's PATH is the manifest's.
ENV PATH="/gramine/meson_build_output/bin:/opt/\$x:/bin"
ENTRYPOINT ["/bin/bash", "/gramine/app_files/apploader.sh"]
CMD ["a","b c"]
LABEL "gsc.tool"="gsc" "q"="say \"\$HOME\" "
