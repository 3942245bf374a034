/**
 * Child-process entry: runs the Graph simulator for the bench in a process of its own, so that
 * the simulator's work neither shares the importing process's event loop (which would slow the
 * figures down in a way production never sees) nor counts in its memory figures.
 * Driven over IPC by {@link SimulatorProcess}; exits when told to stop or when the bench goes away.
 */
import { GraphSimulator } from '../simulators/graph';
import type { SimulatorCommand, SimulatorReply } from './simulator-ipc';

let simulator: GraphSimulator | undefined;

function reply(message: SimulatorReply): void {
  process.send?.(message);
}

async function handle(command: SimulatorCommand): Promise<void> {
  switch (command.type) {
    case 'start': {
      simulator = await GraphSimulator.start({ users: command.users, dataDir: command.dataDir, limits: command.limits, port: 0, ...(command.latency === undefined ? {} : { latency: command.latency }) });
      reply({ type: 'started', url: simulator.url, origin: simulator.origin, requestLogFile: simulator.requestLogFile });
      return;
    }
    case 'stop': {
      if (simulator === undefined) throw new Error('The Graph simulator has not been started');
      await simulator.stop();
      reply({ type: 'stopped', stats: simulator.stats.snapshot() });
      process.disconnect?.();
      return;
    }
  }
}

process.on('message', (command: SimulatorCommand) => {
  handle(command).catch((error: unknown) => reply({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
});

// The bench went away (finished, crashed or was interrupted): do not outlive it.
process.on('disconnect', () => {
  const stopping = simulator?.stop() ?? Promise.resolve();
  stopping.finally(() => process.exit(0));
});
