import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';

/**
 * Creates a JetStream stream, or leaves it as it is when another replica (or an earlier
 * start) already did: every sync-server process runs this at start-up, in any order.
 */
export async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Another replica created it between our look and our add.
    await jsm.streams.info(config.name).catch(() => {
      throw error;
    });
  }
}
