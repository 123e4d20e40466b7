# One image for every Common Ground service: build once, run `commonground`, `directory`, `summits` or
# `capacity` as the container's command.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --workspace --bins

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/commonground commonground
COPY --from=build /src/target/release/commonground /src/target/release/directory \
     /src/target/release/summits /src/target/release/capacity /usr/local/bin/
USER commonground
ENV COMMONGROUND_BIND=0.0.0.0:8080 COMMONGROUND_LOG_FORMAT=json
EXPOSE 8080
CMD ["commonground", "serve"]
