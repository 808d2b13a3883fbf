# Grafana with both data sources inside the image: the Scrapewatch live data source built from this
# repository (a fresh clone has no grafana-plugin/dist) and the QuestDB data source from Grafana's
# plugin catalogue at a pinned version. Nothing is downloaded when a container starts, so a
# recreated or offline container has every plugin. Build context: the repository root.
#   docker build -f provisioning/docker/grafana.Dockerfile -t scrapewatch-grafana .

# The Node.js line of the images; the root package.json `engines` accepts it.
FROM node:24-bookworm-slim AS plugin
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
COPY testkit/package.json testkit/
RUN npm ci --include=dev --workspace protocol --workspace grafana-plugin --include-workspace-root
# The plugin imports the shared wire contract from protocol/.
COPY protocol/ protocol/
COPY grafana-plugin/ grafana-plugin/
RUN npm run build -w grafana-plugin && test -f grafana-plugin/dist/plugin.json

# Same Grafana line as the plugin's @grafana/* packages (grafanaDependency >=13.0.0).
FROM grafana/grafana:13.2.3
# The QuestDB data source (questdb/grafana-questdb-datasource), a published release; its
# plugin.json asks for Grafana >=12.3.0. Change the version here, never at container start.
ARG QUESTDB_DATASOURCE_VERSION=0.1.8
# Plugins live in the image, not in the /var/lib/grafana data volume, so a rebuilt image is never
# shadowed by an old copy in the volume.
ENV GF_PATHS_PLUGINS=/opt/scrapewatch/plugins
USER root
RUN mkdir -p /opt/scrapewatch/plugins && chown -R 472:0 /opt/scrapewatch
USER 472
# `grafana cli plugins install <id> <version>` downloads that exact version from grafana.com into
# the plugins folder (it needs the internet at build time only).
RUN grafana cli --pluginsDir "$GF_PATHS_PLUGINS" plugins install questdb-questdb-datasource "$QUESTDB_DATASOURCE_VERSION" \
    && test -d "$GF_PATHS_PLUGINS/questdb-questdb-datasource"
COPY --from=plugin --chown=472:0 /src/grafana-plugin/dist /opt/scrapewatch/plugins/scrapewatch-live-datasource
