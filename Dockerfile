# syntax=docker/dockerfile:1
# modelgate: build with the dev toolchain, ship only the compiled service and production dependencies.
#   docker build -t ghcr.io/modelgate/modelgate:0.1.0 .
# test/manifests/dockerfile.test.ts runs these stages' commands outside Docker and checks that the
# result starts and answers /readyz.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: TypeScript -> dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only (native addon built here, not in the runtime image) ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

# ---- runtime: no compiler, no dev dependencies, no sources ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MODELGATE_HOST=0.0.0.0 \
    MODELGATE_PORT=8080 \
    MODELGATE_DATA_DIR=/var/lib/modelgate
WORKDIR /app
RUN groupadd --system --gid 10001 modelgate \
 && useradd --system --uid 10001 --gid modelgate --home-dir /app --shell /usr/sbin/nologin modelgate \
 && mkdir -p /var/lib/modelgate \
 && chown modelgate:modelgate /var/lib/modelgate
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 10001:10001
VOLUME ["/var/lib/modelgate"]
EXPOSE 8080
# The README's start command (npm start runs the same after building).
CMD ["node", "dist/src/cli/main.js", "serve"]
