// Stylesheets imported by @grafana/ui mean nothing to jsdom.
module.exports = {};
