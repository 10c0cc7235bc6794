# Trent's container image: one static binary in an empty image, run as a
# user without privileges. README.md, section Docker, says how to build and
# run it.
#
# internal/e2e/dockerfile_test.go reads this file and carries it out without
# a Docker daemon: it runs the RUN lines of the build stage, assembles the
# final stage's files, and runs the binary from them under chroot as USER,
# with ENV, ENTRYPOINT and CMD. Keep to the instructions it knows, and keep
# the RUN lines' paths relative to WORKDIR, so that it can run them.

FROM golang:1.26 AS build
WORKDIR /src
# The modules first, so that a change of source does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION is what `trent version` prints, e.g.
# --build-arg VERSION=$(git describe --tags --always --dirty). The build
# context has no .git (.dockerignore), so Go cannot stamp the commit itself.
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X github.com/trent-kms/trent/internal/version.version=${VERSION}" -o out/trent ./cmd/trent
# The data directory, made here because the final stage has no shell to
# make it with, and handed to the user the server runs as.
RUN mkdir -p out/data && chown 65532:65532 out/data && chmod 0700 out/data

# Nothing but the binary: no shell, no libc, no package manager to patch.
FROM scratch
COPY --from=build /src/out/trent /trent
COPY --from=build --chown=65532:65532 /src/out/data /data
# 65532 is the "nonroot" user of the distroless images, a uid no host
# account is likely to have.
USER 65532:65532
# Every interface inside the container (docker -p decides what is reachable
# outside); the port is PORT if the platform sets it, else 4599.
ENV TRENT_LISTEN=0.0.0.0 TRENT_DATA_DIR=/data
VOLUME /data
EXPOSE 4599
ENTRYPOINT ["/trent"]
# A local development server, as local-kms and LocalStack start; see the
# README for running it with a root key and identities instead.
CMD ["serve", "--dev"]
