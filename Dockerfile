# syntax=docker/dockerfile:1
# The stock-stream image for every role (`stock-stream <role>`), for arm64 (Raspberry Pi) and amd64:
#   docker buildx build --platform linux/arm64,linux/amd64 -t REGISTRY/stock-stream:0.1.0 --push .
# Multi-stage: TypeScript is compiled once on the build machine's own platform; the native addons
# (better-sqlite3, i2c-bus) are compiled in a stage that runs as the target platform
# (TARGETPLATFORM, emulated by buildx when it differs); the runtime stage has no compiler and no
# dev dependencies, and runs as an unprivileged user.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# 1. TypeScript to dist/ (platform-independent JavaScript), on the build machine's platform.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS compile
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: nothing native is needed to compile; esbuild's own binary is set up on purpose.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY platform ./platform
COPY cli ./cli
COPY cluster ./cluster
COPY edge ./edge
COPY web ./web
COPY cdk8s ./cdk8s
RUN npm run build

# 2. Production dependencies, native addons built for the target architecture.
FROM ${NODE_IMAGE} AS deps
ARG TARGETPLATFORM
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts skips "prepare" (a build needing dev tools) and every dependency's install script;
# then only the addons the runtime needs are built, from source or a prebuilt binary for this platform.
RUN echo "native addons for ${TARGETPLATFORM:-the build platform}" \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 i2c-bus \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
 && npm cache clean --force

# 3. Runtime: node, the compiled JavaScript, production node_modules; no compiler, no npm cache.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# A fixed uid/gid the manifests name (runAsUser 10001). No setuid/setgid binaries left: the edge pod
# may run privileged (docs/deployment.md) and must have no way back to root.
RUN groupadd --system --gid 10001 stock-stream \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin stock-stream \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} + \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/lib/node_modules/corepack /usr/local/bin/corepack
COPY --from=deps /src/node_modules ./node_modules
COPY --from=compile /src/dist ./dist
COPY package.json ./
COPY bin ./bin
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/stock-stream.js"]
CMD ["--help"]
