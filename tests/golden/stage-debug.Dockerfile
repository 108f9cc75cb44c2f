# gsc stage image: python:3 with the Gramine runtime of gramine:1.9.
# Only COPY steps: the app image needs no shell, package manager, libc or network for this.
FROM sha256:gramine AS gramine
FROM sha256:app
COPY --from=gramine /gramine /gramine

# What starts the enclave, outside it: gsc-launch, Gramine's SGX loader and the dynamic linker
# and libraries that loader needs, from the Gramine image. Nothing of the app image runs there.
COPY gsc/ /gramine/gsc/
COPY app_files/ /gramine/app_files/
