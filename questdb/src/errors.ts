/** A failure of the local QuestDB harness, with a message that says what to do about it. */
export class QuestDBHarnessError extends Error {
  constructor(
    readonly code:
      | 'JAVA_MISSING'
      | 'JAVA_TOO_OLD'
      | 'MAVEN_MISSING'
      | 'JAR_FETCH_FAILED'
      | 'START_TIMEOUT'
      | 'EXITED_EARLY',
    message: string,
  ) {
    super(message);
    this.name = 'QuestDBHarnessError';
  }
}

export const USE_EXISTING_HINT =
  'Or point at a running QuestDB instead: QUESTDB_URL=http://host:9000 ' +
  '(and QUESTDB_PG_URL=postgresql://admin:quest@host:8812/qdb).';
