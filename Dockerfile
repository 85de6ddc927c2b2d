# syntax=docker/dockerfile:1
#
# The eiso-server container image: the one binary (gRPC, gRPC-Web, Connect,
# the web app, health and reflection on port 50051) on a small non-root base.
#
#   docker build -t eiso .
#   docker run --rm -p 127.0.0.1:50051:50051 -e EISO_ADMIN_PASSWORD='choose-a-long-one' \
#       -v eiso-data:/var/lib/eiso -v eiso-search:/var/lib/eiso-search eiso
#
# With nothing else set the container is the embedded default: SQLite files
# under /var/lib/eiso, the search index under /var/lib/eiso-search. Set
# EISO_DATABASE_URL (and the blob store) to run it as one replica of several;
# deploy/compose.yaml and deploy/kubernetes/ do. Every setting is an EISO_*
# variable (deploy/eiso.example.toml). Logs go to stderr.
#
# scripts/validate-deploy (run by CI) lints this file with hadolint and checks
# that RUST_VERSION below is the channel of rust-toolchain.toml.

# The toolchain of rust-toolchain.toml.
ARG RUST_VERSION=1.95.0
# grpc_health_probe, for HEALTHCHECK: built from its Go source, pinned.
ARG GO_VERSION=1.26
ARG GRPC_HEALTH_PROBE_VERSION=v0.4.63

FROM rust:${RUST_VERSION}-bookworm AS build
ARG RUST_VERSION
# The image's own toolchain: rust-toolchain.toml would also have rustup fetch
# clippy and rustfmt, which a release build does not use. protoc is vendored
# (protoc-bin-vendored) and SQLite is compiled in, so nothing is installed.
ENV RUSTUP_TOOLCHAIN=${RUST_VERSION} \
    CARGO_TERM_COLOR=never
WORKDIR /src
COPY . .
# The caches keep the registry and the compiled dependencies between builds;
# the binary is copied out of the cached target directory in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p eiso-server \
    && install -D -m 0755 target/release/eiso-server /out/usr/local/bin/eiso-server \
    && install -d -m 0750 /out/var/lib/eiso /out/var/lib/eiso-search

FROM golang:${GO_VERSION}-bookworm AS health-probe
ARG GRPC_HEALTH_PROBE_VERSION
# Static (no cgo), so it runs on the distroless base.
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags="-s -w" \
    github.com/grpc-ecosystem/grpc-health-probe@${GRPC_HEALTH_PROBE_VERSION}

# distroless/cc: glibc, libgcc_s (all that `ldd eiso-server` lists besides
# libc and libm), CA certificates (S3, the portal, SMTP over TLS), tzdata, a
# `nonroot` user (65532); no shell and no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/usr/local/bin/eiso-server /usr/local/bin/eiso-server
COPY --from=health-probe /out/grpc-health-probe /usr/local/bin/grpc-health-probe
COPY --from=build --chown=65532:65532 /out/var/lib/ /var/lib/

ENV EISO_LISTEN_ADDR=0.0.0.0:50051 \
    EISO_DATA_DIR=/var/lib/eiso \
    EISO_SEARCH_DIR=/var/lib/eiso-search
# data_dir: SQLite files, local blobs, templates (back it up); the search
# index: a cache rebuilt from the event streams, one per container.
VOLUME ["/var/lib/eiso", "/var/lib/eiso-search"]
WORKDIR /var/lib/eiso
USER 65532:65532
EXPOSE 50051

# The standard gRPC health service: SERVING once the server listens,
# NOT_SERVING while it drains after SIGTERM. The address is fixed here (no
# shell to read EISO_LISTEN_ADDR): change both together.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
    CMD ["/usr/local/bin/grpc-health-probe", "-addr=127.0.0.1:50051", "-connect-timeout=2s", "-rpc-timeout=2s"]

# SIGTERM drains: calls in flight finish, event streams end, the search index
# commits. Allow it 30 s (`docker stop -t 30`, stop_grace_period in compose).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/eiso-server"]
