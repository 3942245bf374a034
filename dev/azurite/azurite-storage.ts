/**
 * Storage on an Azurite: what the demo, the run command and the tests need of it, whether they
 * started that Azurite themselves or were lent one account of an Azurite someone else runs.
 */
export interface AzuriteStorage {
  /** A connection string for the account, with explicit endpoints (never UseDevelopmentStorage). */
  readonly connectionString: string;
  /** Stops the Azurite, or gives the lent account back; the data is gone either way unless persisted. */
  stop(): Promise<void>;
}
