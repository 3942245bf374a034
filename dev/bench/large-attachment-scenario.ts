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
import { REAL_LIMITS } from './bench-limits';

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
  /** The large attachment; it goes to the first user's mailbox. */
  attachmentBytes: number;
  /** Attachments imported beside it at the same time, each into a mailbox of its own (users 2, 3, …). */
  besideBytes: number;
  besideCount: number;
  /** Exchange-like latency in the simulator. */
  latency: boolean;
}

export interface LargeAttachmentFigures {
  id: string;
  attachmentBytes: number;
  besideBytes: number;
  besideCount: number;
  status: string;
  error?: string;
  durationMs: number;
  /** Attachment bytes per second through the whole run (read from storage, PUT to Graph). */
  bytesPerSecond: number;
  sampleIntervalMs: number;
  samples: number;
  baseline: MemoryReading;
  peak: MemoryReading;
  /** peak − baseline, per figure. */
  aboveBaseline: MemoryReading;
  /** Requests the simulator answered, by route, and its 429s. */
  byRoute: Record<string, number>;
  throttled: number;
  /** The simulator holds a file of exactly each attachment's size under its SHA-256, in its mailbox. */
  deliveredIntact: boolean;
}

const SAMPLE_INTERVAL_MS = 50;

/**
 * One MMS with an attachment of `attachmentBytes` and `besideCount` MMS of `besideBytes` beside
 * it, generated and streamed into `archive-attachments` by the fetch stage's own store (verified
 * size and SHA-256 metadata), then imported all at once through the real service — upload
 * sessions, ranged PUTs — in a process of its own whose memory is sampled.
 */
export async function runLargeAttachmentScenario(env: LargeAttachmentEnvironment, testCase: LargeAttachmentCase): Promise<LargeAttachmentFigures> {
  const owners = env.users.slice(0, 1 + testCase.besideCount);
  if (owners.length < 1 + testCase.besideCount) throw new RangeError(`runLargeAttachmentScenario: ${1 + testCase.besideCount} users needed`);
  const large = new GeneratedBytes(testCase.attachmentBytes);
  const beside = new GeneratedBytes(testCase.besideBytes);
  env.progress('hashing the generated attachments');
  const largeSha = large.sha256();
  const besideSha = beside.sha256();
  const warmUp = generateSmsItems({ users: [owners[0] as DirectoryUser], count: 1, idPrefix: `${testCase.id}-warm`, seed: 150 })[0]!;
  const sources = new Map<string, { bytes: GeneratedBytes; contentType: string }>();
  const expected: { upn: string; sha256: string; size: number }[] = [];
  const items: ArchiveItem[] = owners.map((owner, i) => {
    const carrier = generateSmsItems({ users: [owner], count: 1, idPrefix: `${testCase.id}-${i}`, seed: 151 + i })[0]!;
    const isLarge = i === 0;
    const attachmentId = `bench-attachment-${i}`;
    sources.set(attachmentId, { bytes: isLarge ? large : beside, contentType: 'video/mp4' });
    const size = isLarge ? testCase.attachmentBytes : testCase.besideBytes;
    const sha256 = isLarge ? largeSha : besideSha;
    expected.push({ upn: owner.userPrincipalName, sha256, size });
    return { ...carrier.item, kind: 'mms', text: 'Site survey video', attachments: [{ id: attachmentId, fileName: 'site-survey.mp4', contentType: 'video/mp4', size, sha256 }] };
  });
  const connector = benchConnector(`bench-${testCase.id}`);
  env.progress('streaming them into archive-attachments through BlobArchiveStore');
  const [warmUpBlobName = '', ...blobNames] = await seedArchive({
    connectors: env.connectors,
    store: env.archiveStore,
    connector,
    items: [warmUp.item, ...items],
    source: new GeneratedArchiveSource(sources),
    concurrency: 2,
  });

  const dataDir = path.join(env.workDir, testCase.id);
  const simulator = await SimulatorProcess.start({ users: env.users, dataDir, limits: REAL_LIMITS, latency: testCase.latency });
  const untrack = env.track(simulator);
  try {
    env.progress(`importing them at once through ImportItemService with upload sessions, sampling memory every ${SAMPLE_INTERVAL_MS} ms`);
    const result = await runLargeAttachmentImport(
      { storageConnectionString: env.storageConnectionString, graphEndpoint: simulator.url, warmUpBlobName, blobNames, sampleIntervalMs: SAMPLE_INTERVAL_MS },
      { timeoutMs: 15 * 60_000 },
    );
    const stats = await simulator.stop();
    untrack();
    const log = await summarizeRequestLog(simulator.requestLogFile);
    const stored = await Promise.all(expected.map((e) => stat(path.join(dataDir, 'mailboxes', e.upn, 'attachments', e.sha256)).then((f) => f.size === e.size, () => false)));
    const { baseline, peak } = result.memory;
    const totalBytes = testCase.attachmentBytes + testCase.besideBytes * testCase.besideCount;
    return {
      id: testCase.id,
      attachmentBytes: testCase.attachmentBytes,
      besideBytes: testCase.besideBytes,
      besideCount: testCase.besideCount,
      status: result.status,
      ...(result.error === undefined ? {} : { error: result.error }),
      durationMs: result.durationMs,
      bytesPerSecond: totalBytes / (result.durationMs / 1000),
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
      deliveredIntact: stored.every(Boolean),
    };
  } finally {
    await simulator.kill();
    untrack();
  }
}
