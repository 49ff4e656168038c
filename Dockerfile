# One image for every shadowdiff process; the command picks the part (tap, worker, api, migrate).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY packages ./packages
COPY services ./services
COPY migrations ./migrations
# Dev dependencies (TypeScript, vite) are needed to compile the workspaces into their dist/ and
# to build the dashboard, then dropped: the image runs the compiled JavaScript, without tsx. The
# embedded Postgres binaries (an optional dependency) are left out: containers use the compose
# file's Postgres.
RUN npm ci --no-audit --no-fund --omit=optional \
    && npm run build \
    && npm prune --omit=dev --omit=optional \
    && npm cache clean --force
ENV NODE_ENV=production
# The state folder (the tap's redaction key file when none is configured) must be writable.
RUN mkdir -p /app/.shadowdiff && chown node /app/.shadowdiff
USER node
ENTRYPOINT ["node", "services/cli/bin/shadowdiff.js"]
CMD ["--help"]
