import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { BlobArchiveStore } from '../../shared/archive/blob-archive-store';
import type { ConnectorStore } from '../../shared/connectors/connector-store';
import type { ArchiveItem } from '../../shared/telemessage/archive-source';
import type { DirectoryUser } from '../scenario/directory-users';
import { benchConnector, seedArchive } from './archive-seeder';
import { GeneratedArchiveSource, GeneratedBytes } from './generated-attachment';
import { runLargeAttachmentImport } from './large-attachment-run';
import type { MemoryReading } from './memory-sampler';
import { summarizeRequestLog } from './request-log-summary';
import { SimulatorProcess } from './simulator-process';
import { generateSmsItems } from './sms-items';
import { REAL_LIMITS } from './throughput-scenario';

export interface LargeAttachmentEnvironment {
  users: readonly DirectoryUser[];
  storageConnectionString: string;
  connectors: ConnectorStore;
  archiveStore: BlobArchiveStore;
  workDir: string;
  progress: (message: string) => void;
  track: (simulator: SimulatorProcess) => () => void;
}

export interface LargeAttachmentCase {
  /** Names the connector and the simulator's data folder. */
  id: string;
  attachmentBytes: number;
  /** The directory user whose mailbox receives it; cases use different mailboxes so one's uploads do not count against another's limit. */
  ownerIndex: number;
}

export interface LargeAttachmentFigures {
  id: string;
  attachmentBytes: number;
  status: string;
  error?: string;
  durationMs: number;
  /** Attachment bytes per second through the whole import (read from storage, PUT to Graph). */
  bytesPerSecond: number;
  sampleIntervalMs: number;
  samples: number;
  baseline: MemoryReading;
  peak: MemoryReading;
  /** peak − baseline, per figure. */
  aboveBaseline: MemoryReading;
  /** Requests the simulator answered for the item, by route, and its 429s. */
  byRoute: Record<string, number>;
  throttled: number;
  /** The simulator holds a file of exactly this size under the attachment's SHA-256. */
  deliveredIntact: boolean;
}

const SAMPLE_INTERVAL_MS = 50;

/**
 * One MMS with a single attachment of `attachmentBytes`, generated and streamed into
 * `archive-attachments` by the fetch stage's own store (verified size and SHA-256 metadata), then
 * imported through the real service — upload session, ranged PUTs — in a process of its own
 * whose memory is sampled, against a simulator enforcing the real limits.
 */
export async function runLargeAttachmentScenario(env: LargeAttachmentEnvironment, testCase: LargeAttachmentCase): Promise<LargeAttachmentFigures> {
  const { attachmentBytes } = testCase;
  const owner = env.users[testCase.ownerIndex];
  if (owner === undefined) throw new RangeError(`runLargeAttachmentScenario: no user at index ${testCase.ownerIndex}`);
  const bytes = new GeneratedBytes(attachmentBytes);
  env.progress(`hashing the generated ${attachmentBytes.toLocaleString('en-US')}-byte attachment`);
  const sha256 = bytes.sha256();
  const attachmentId = 'bench-attachment-large';
  const [warmUp, carrier] = generateSmsItems({ users: [owner], count: 2, idPrefix: testCase.id, seed: 150 });
  if (warmUp === undefined || carrier === undefined) throw new Error('generateSmsItems returned fewer than the 2 items asked for');
  const largeItem: ArchiveItem = {
    ...carrier.item,
    kind: 'mms',
    text: 'Site survey video',
    attachments: [{ id: attachmentId, fileName: 'site-survey.mp4', contentType: 'video/mp4', size: attachmentBytes, sha256 }],
  };
  const connector = benchConnector(`bench-${testCase.id}`);
  env.progress('streaming it into archive-attachments through BlobArchiveStore');
  const [warmUpBlobName = '', blobName = ''] = await seedArchive({
    connectors: env.connectors,
    store: env.archiveStore,
    connector,
    items: [warmUp.item, largeItem],
    source: new GeneratedArchiveSource(new Map([[attachmentId, { bytes, contentType: 'video/mp4' }]])),
    concurrency: 1,
  });

  const dataDir = path.join(env.workDir, testCase.id);
  const simulator = await SimulatorProcess.start({ users: env.users, dataDir, limits: REAL_LIMITS });
  const untrack = env.track(simulator);
  try {
    env.progress('importing it through ImportItemService with an upload session, sampling memory every 50 ms');
    const result = await runLargeAttachmentImport(
      { storageConnectionString: env.storageConnectionString, graphEndpoint: simulator.url, warmUpBlobName, blobName, sampleIntervalMs: SAMPLE_INTERVAL_MS },
      { timeoutMs: 8 * 60_000 },
    );
    const stats = await simulator.stop();
    untrack();
    const log = await summarizeRequestLog(simulator.requestLogFile);
    const stored = await stat(path.join(dataDir, 'mailboxes', owner.userPrincipalName, 'attachments', sha256)).catch(() => undefined);
    const { baseline, peak } = result.memory;
    return {
      id: testCase.id,
      attachmentBytes,
      status: result.status,
      ...(result.error === undefined ? {} : { error: result.error }),
      durationMs: result.durationMs,
      bytesPerSecond: attachmentBytes / (result.durationMs / 1000),
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
      samples: result.memory.samples,
      baseline,
      peak,
      aboveBaseline: {
        rss: peak.rss - baseline.rss,
        heapUsed: peak.heapUsed - baseline.heapUsed,
        external: peak.external - baseline.external,
        arrayBuffers: peak.arrayBuffers - baseline.arrayBuffers,
      },
      byRoute: log.byRoute,
      throttled: stats.byStatus['429'] ?? 0,
      deliveredIntact: stored?.size === attachmentBytes,
    };
  } finally {
    await simulator.kill();
    untrack();
  }
}
