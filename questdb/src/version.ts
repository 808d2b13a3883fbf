/**
 * The one QuestDB version this project develops and tests against. 9.3.x runs on Java 17;
 * 9.4 and later need Java 25. The docker compose image is pinned to the same version.
 */
export const QUESTDB_VERSION = '9.3.4';
export const QUESTDB_ARTIFACT = `org.questdb:questdb:${QUESTDB_VERSION}`;
/** QuestDB 9.3.x needs at least this Java feature release. */
export const MIN_JAVA_MAJOR = 17;
