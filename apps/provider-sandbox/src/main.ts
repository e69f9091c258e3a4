import { ConfigError, loadConfig } from './config';
import { StateFileError } from './core/state-file';

/**
 * Starts the provider sandbox from the environment. stdout carries only JSON log lines; the
 * line with `"event":"sandbox.ready"` gives the URL (PORT=0 picks a free port), so another
 * project's test can spawn `node tools/run-ts.cjs apps/provider-sandbox/src/main.ts` and wait for it.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Loaded after the configuration is checked, so a bad setting fails fast.
  const { startSandbox } = await import('./sandbox');
  const sandbox = await startSandbox(config);
  // Before the ready line: a parent may signal as soon as it reads it.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    sandbox.app.log.info({ signal }, 'stopping the provider sandbox');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`provider sandbox did not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Written directly so the ready line appears whatever LOG_LEVEL says.
  process.stdout.write(
    `${JSON.stringify({
      level: 30,
      time: Date.now(),
      event: 'sandbox.ready',
      url: sandbox.url,
      baseUrls: sandbox.baseUrls,
      seed: sandbox.options.seed,
      size: sandbox.options.size,
      clock: sandbox.context.clock.status,
      ...(sandbox.options.stateFile === undefined ? {} : { stateFile: sandbox.options.stateFile, resumed: sandbox.resumed ?? null }),
      msg: `provider sandbox ready at ${sandbox.url}${sandbox.resumed === undefined ? '' : ` (resumed from the state saved at ${sandbox.resumed.savedAt})`}`,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof StateFileError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
