# syntax=docker/dockerfile:1
# One image for every role: ROLE=api serves GraphQL, LTI and the web app; ROLE=worker runs the BullMQ workers.
# The server is bundled into dist/start.mjs by esbuild (bin/build-server.ts) and the Vue app built by Vite.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, for layer caching. NODE_ENV is not yet production here on purpose: tsx and vite are
# devDependencies and are needed to build the server and the web app.
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY lti-tool/package.json lti-tool/
COPY jobs/package.json jobs/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
RUN npm run build:web \
 && npm run build:server \
 && mkdir -p /app/data \
 && chown node:node /app/data

ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false

USER node
EXPOSE 3000

# Liveness only (the process answers HTTP); readiness (/readyz: database and Redis) is for orchestrators.
# Workers (ROLE=worker) listen on no port; compose overrides this check for them.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

CMD ["node", "--enable-source-maps", "dist/start.mjs"]
