# syntax=docker/dockerfile:1
# One image for both amtsweg processes; docker-compose.yml picks the command:
#   api:    node dist/apps/api/src/main.js
#   worker: node dist/apps/worker/src/main.js
#   migrate (release step): node dist/libs/db/src/migrate-cli.js

ARG NODE_VERSION=20.20
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json marks the repository root (repoRoot() looks for it); migrations/ is read at run time;
# dist/workflows is what the worker bundles for the Temporal workflow sandbox.
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/migrations ./migrations
USER node
EXPOSE 3000
# SIGTERM from `docker stop` reaches node directly (exec form): the worker drains, the API closes.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/api/src/main.js"]
