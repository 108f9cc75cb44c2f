# gsc signed image: the SGX manifest and the SIGSTRUCT, signed outside Docker.
# sign-time variable (-D): k=v RUN evil
FROM sha256:u
COPY app_files/ /gramine/app_files/
LABEL "gsc.mr_enclave"="00"
