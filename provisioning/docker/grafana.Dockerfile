# Grafana with the Scrapewatch live data source built from this repository (a fresh clone has no
# grafana-plugin/dist). Build context: the repository root.
#   docker build -f provisioning/docker/grafana.Dockerfile -t scrapewatch-grafana .

FROM node:20-bookworm-slim AS plugin
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY protocol/package.json protocol/
COPY questdb/package.json questdb/
COPY collector/package.json collector/
COPY sdk/package.json sdk/
COPY grafana-plugin/package.json grafana-plugin/
COPY provisioning/package.json provisioning/
COPY bench/package.json bench/
RUN npm ci --include=dev --workspace protocol --workspace grafana-plugin --include-workspace-root
# The plugin imports the shared wire contract from protocol/.
COPY protocol/ protocol/
COPY grafana-plugin/ grafana-plugin/
RUN npm run build -w grafana-plugin && test -f grafana-plugin/dist/plugin.json

# Same Grafana line as the plugin's @grafana/* packages (grafanaDependency >=13.0.0).
FROM grafana/grafana:13.2.3
# Plugins live in the image, not in the /var/lib/grafana data volume, so a rebuilt plugin is never
# shadowed by an old copy in the volume. Grafana installs the QuestDB plugin here at start-up.
ENV GF_PATHS_PLUGINS=/opt/scrapewatch/plugins
USER root
RUN mkdir -p /opt/scrapewatch/plugins && chown -R 472:0 /opt/scrapewatch
COPY --from=plugin --chown=472:0 /src/grafana-plugin/dist /opt/scrapewatch/plugins/scrapewatch-live-datasource
USER 472
