# gsc final layer: the manifest (how the image starts is the stage's).
FROM sha256:stage
COPY app_files/ /gramine/app_files/
