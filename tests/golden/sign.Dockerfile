# gsc signed image: the SGX manifest and the SIGSTRUCT, signed outside Docker.
# sign-time variable (-D): k=v RUN evil
FROM sha256:u
# Labels first: every step image carries gsc.build (docker/operation.hpp).
LABEL "gsc.mr_enclave"="00"
COPY app_files/ /gramine/app_files/
