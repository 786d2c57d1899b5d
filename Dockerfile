# syntax=docker/dockerfile:1
# Multi-stage build: compile with the full Rust toolchain, ship a slim Debian with only
# the binary, its data files and CA certificates, running as an unprivileged user.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin shipgate \
 && strip target/release/shipgate

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/shipgate --create-home shipgate
COPY --from=build /src/target/release/shipgate /usr/local/bin/shipgate
COPY --chown=root:root mappings /usr/share/shipgate/mappings
COPY --chown=root:root config/shipgate.toml /etc/shipgate/shipgate.toml
USER shipgate
WORKDIR /var/lib/shipgate
ENV SHIPGATE_CONFIG=/etc/shipgate/shipgate.toml \
    SHIPGATE_MAPPINGS__DIR=/usr/share/shipgate/mappings
ENTRYPOINT ["shipgate"]
CMD ["run"]
