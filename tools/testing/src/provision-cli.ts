import { provisionTestEnvironment, teardownTestEnvironment, type ProvisionedTestEnvironment } from './provision';

/**
 * Provisioning as a separate process, for Jest's global setup: Jest loads global setup modules
 * with its own transformer, which knows nothing of the workspace's path aliases.
 *   provision            → prints the environment as one JSON line on stdout
 *   teardown '<json>'    → undoes what provision did
 */
const log = (line: string): void => {
  process.stderr.write(`[finmesh test] ${line}\n`);
};

async function main(command: string | undefined, argument: string | undefined): Promise<void> {
  switch (command) {
    case 'provision': {
      const env = await provisionTestEnvironment(log);
      process.stdout.write(`${JSON.stringify(env)}\n`);
      return;
    }
    case 'teardown': {
      if (!argument) throw new Error('teardown needs the JSON that provision printed');
      await teardownTestEnvironment(JSON.parse(argument) as ProvisionedTestEnvironment, log);
      return;
    }
    default:
      throw new Error('usage: provision-cli provision | teardown <json>');
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
