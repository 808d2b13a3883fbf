import { ConfigError, loadConfig } from './config';
import { createCollector } from './collector';
import { createLogger } from './logger';

// The collector process: environment -> configuration -> collector; SIGINT/SIGTERM close it.
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`scrapewatch collector: invalid configuration: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const collector = createCollector(config, { logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'closing');
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { url } = await collector.start();
  logger.info({ url }, 'listening');
}

main().catch((error: unknown) => {
  console.error('scrapewatch collector: failed to start:', error);
  process.exit(1);
});
