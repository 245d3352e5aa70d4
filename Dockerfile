# didhub: a production-like image. The app runs its TypeScript through tsx (no build step).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY views ./views
COPY public ./public
COPY tsconfig.json ./
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "src/server.ts"]
