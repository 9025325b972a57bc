# One image recipe for every Node process of the shop; pick it with the SERVICE build arg:
#   docker build --build-arg SERVICE=customer .   (customer | products | shopping | gateway)
# docker-compose.yml builds all four from here.

# Pinned, so that a rebuild gets the same Node; raise it on purpose, with .nvmrc (the Node that
# CI tests on: a test keeps the two the same release).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- build: compiles every workspace once. It does not depend on SERVICE, so the four images share
# this stage's cache instead of compiling the whole tree four times.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first: the slow `npm ci` layer is reused until a dependency changes, not on every edit.
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY customer/package.json customer/
COPY products/package.json products/
COPY shopping/package.json shopping/
COPY gateway/package.json gateway/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY common/ common/
COPY customer/ customer/
COPY products/ products/
COPY shopping/ shopping/
COPY gateway/ gateway/
# Static files a service serves from <service>/public (the gateway's product images); an empty
# folder for the others, so that the runtime stage copies the same path for every SERVICE.
RUN npm run build && mkdir -p common/public customer/public products/public shopping/public gateway/public

# --- deps: production dependencies of the chosen service and of @shop/common only (npm's workspace
# filter), so that no image carries the compiler or the test tools, and the gateway's carries neither
# mongoose nor amqplib (scripts/docker/install-service-deps.sh says how).
FROM ${NODE_IMAGE} AS deps
ARG SERVICE
RUN case "${SERVICE}" in customer|products|shopping|gateway) ;; \
      *) echo "build arg SERVICE must be customer, products, shopping or gateway (got '${SERVICE}')" >&2; exit 1 ;; \
    esac
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY customer/package.json customer/
COPY products/package.json products/
COPY shopping/package.json shopping/
COPY gateway/package.json gateway/
COPY scripts/docker/install-service-deps.sh scripts/docker/
RUN sh scripts/docker/install-service-deps.sh "${SERVICE}"

# --- runtime: only what runs. Files stay owned by root, so the process cannot rewrite its own code.
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# Heap limits (as scripts/shop-processes.ts): ~45 MB of live objects, but V8 grows an unlimited heap
# with the allocation rate (~200 MB RSS under load). docker-compose.yml gives the gateway its own;
# raise the old space for a catalogue of many thousand products.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=128" \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/common/node_modules ./common/node_modules
COPY --from=deps /app/${SERVICE}/node_modules ./${SERVICE}/node_modules
COPY --from=build /app/common/package.json ./common/
COPY --from=build /app/common/dist ./common/dist
# The entry point the gateway loads (@shop/common/web: common without mongoose and amqplib).
COPY --from=build /app/common/web ./common/web
# The shop's contracts alone (@shop/common/contracts), as the services' pure rules load them.
COPY --from=build /app/common/contracts ./common/contracts
COPY --from=build /app/${SERVICE}/package.json ./${SERVICE}/
COPY --from=build /app/${SERVICE}/dist ./${SERVICE}/dist
COPY --from=build /app/${SERVICE}/public ./${SERVICE}/public
USER node
# An exec-form CMD expands no variables, so the working directory picks the service
# (/app/<service>/dist/index.js): node stays PID 1 and gets SIGTERM itself, for a graceful shutdown.
WORKDIR /app/${SERVICE}
# The port is the one the process reads: HEALTH_PORT if set, else <SERVICE>_PORT, else the code's
# default. Node's own fetch, because the slim image has no curl or wget.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,s=e.SERVICE;const p=e.HEALTH_PORT||e[s.toUpperCase()+'_PORT']||{gateway:8000,customer:8001,products:8002,shopping:8003}[s];fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/index.js"]
