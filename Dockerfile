# The worker and the API, one image, two commands (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# `prisma generate` needs no native engine; pointing PRISMA_SCHEMA_ENGINE_BINARY at any file stops the
# CLI from downloading one, so the build also works behind a closed municipal network.
RUN PRISMA_SCHEMA_ENGINE_BINARY="$(command -v node)" npx prisma generate && npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The migrator (scripts/dev/migrate.ts) runs from source through tsx, so the image keeps the dev
# dependencies it needs; the worker and the API run the compiled dist/.
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
