# One image per finmesh app: docker build --build-arg APP=ledger -t finmesh/ledger .
# APP is a folder of apps/ listed in tools/local-stack/src/service-registry.ts, or `provision`
# (the one-shot job that creates topics and applies every service's migrations).
# Stages: build (all dependencies, SWC compile to dist/), production dependencies only, runtime.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /workspace
COPY package.json package-lock.json ./
# No install scripts: the build needs none (SWC's binary comes as a platform package).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY tools ./tools
COPY libs ./libs
COPY apps ./apps
ARG APP
RUN test -n "${APP}" || (echo "build with --build-arg APP=<app>|provision" >&2; exit 1)
RUN node tools/run-ts.cjs tools/build/src/main.ts --out dist \
 && node tools/run-ts.cjs tools/build/src/image-entry-main.ts "${APP}" image

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG APP
LABEL org.opencontainers.image.title="finmesh ${APP}" \
      org.opencontainers.image.source="finmesh monorepo, apps/${APP}"
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    FINMESH_APP=${APP}
WORKDIR /app
# Owned by root and read-only for the app user: the container runs with a read-only root filesystem.
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /workspace/dist ./dist
COPY --from=build /workspace/image/start.js /workspace/image/healthcheck.js ./
COPY package.json ./
# The one writable place besides /tmp, for a volume (the provider sandbox's state file in compose).
RUN mkdir -p /var/lib/finmesh && chown 1000:1000 /var/lib/finmesh
# The `node` user of the official image (uid 1000), never root.
USER 1000:1000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.js"]
CMD ["node", "/app/start.js"]
