# gsc final layer: the manifest and the link to the app's binary; how the image starts.
FROM sha256:stage
COPY app_files/ /gramine/app_files/
ENTRYPOINT ["/bin/bash", "/gramine/app_files/apploader.sh"]
CMD ["a","b c"]
LABEL "gsc.tool"="gsc" "q"="say \"\$HOME\" "
