/** The collector's version (its package.json's; a test keeps them equal), as the API reports it. */
export const COLLECTOR_VERSION = '0.1.0';
