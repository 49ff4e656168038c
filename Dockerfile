# One image for every shadowdiff process; the command picks the part (tap, worker, api, migrate).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
COPY migrations ./migrations
RUN npm ci --no-audit --no-fund --omit=optional \
    && npm cache clean --force
USER node
ENTRYPOINT ["node", "services/cli/bin/shadowdiff.js"]
CMD ["--help"]
