import { join, resolve } from 'node:path';

export interface StackOptions {
  /** interactive: live view until Ctrl-C; headless: run, print the summary, stop, exit; provision: set up and exit. */
  mode: 'interactive' | 'headless' | 'provision';
  scenario: boolean;
  stateDir: string;
  /** `auto` picks free ports (tests, a second stack beside the first). */
  ports: 'registry' | 'auto';
  topicPrefix: string;
  databasePrefix: string;
  sandboxSize: 'tiny' | 'small' | 'medium' | 'large';
  logLevel: string;
  /** How long the scenario (or, headless without it, the wait for healthy services) may take. */
  timeoutMs: number;
  kafkaPort: number;
  embeddedPostgresPort: number;
  /** Registry apps not to start this time (`--without connector-finx,connector-indx`). */
  without: string[];
  /** The sandbox's own activity (new transactions, deposits, price moves every minute); off: only the scenario changes money. */
  liveActivity: boolean;
}

export const USAGE = `usage: npm start [-- options]
  --scenario            drive the scripted scenario (syncs, payments, callbacks) once the stack is up
  --headless            no live view: start, run the scenario if asked, print a summary and stop (exit 1 if anything failed)
  --once                provision Kafka, PostgreSQL, topics and databases, then exit
  --state-dir <dir>     where broker data, logs, local secrets and the providers' state live (default .finmesh)
  --ports auto          free ports instead of the registry's (4010, 3100, 8080…)
  --topic-prefix <p>    prefix of every topic and consumer group (default none)
  --database-prefix <p> prefix of the services' databases (default finmesh_)
  --sandbox-size <s>    tiny | small | medium | large (default small)
  --no-live-activity    the sandbox changes money only when the scenario asks (no new transactions every minute)
  --without <apps>      registry apps not to start this time, comma-separated (their scenario steps are skipped)
  --log-level <l>       the services' LOG_LEVEL (default info; their logs are in <state-dir>/logs)
  --timeout <seconds>   limit for the services to become ready and for each scenario step (default 120)`;

const SIZES = ['tiny', 'small', 'medium', 'large'] as const;

/** Parses `npm start -- …` arguments; throws with the usage on anything unknown. */
export function parseStackOptions(argv: readonly string[], workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): StackOptions {
  const options: StackOptions = {
    mode: 'interactive',
    scenario: false,
    stateDir: join(workspaceRoot, '.finmesh'),
    ports: 'registry',
    topicPrefix: '',
    databasePrefix: 'finmesh_',
    sandboxSize: 'small',
    logLevel: 'info',
    timeoutMs: 120_000,
    kafkaPort: Number.parseInt(env['KAFKA_PORT'] ?? '9092', 10),
    embeddedPostgresPort: Number.parseInt(env['FINMESH_EMBEDDED_PG_PORT'] ?? '5433', 10),
    without: [],
    liveActivity: true,
  };
  const args = [...argv];
  const value = (flag: string): string => {
    const next = args.shift();
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  for (let arg = args.shift(); arg !== undefined; arg = args.shift()) {
    switch (arg) {
      case '--scenario':
        options.scenario = true;
        break;
      case '--headless':
        options.mode = 'headless';
        break;
      case '--once':
        options.mode = 'provision';
        break;
      case '--state-dir':
        options.stateDir = resolve(workspaceRoot, value(arg));
        break;
      case '--ports': {
        const ports = value(arg);
        if (ports !== 'auto' && ports !== 'registry') throw new Error(`--ports must be auto or registry\n${USAGE}`);
        options.ports = ports;
        break;
      }
      case '--topic-prefix':
        options.topicPrefix = value(arg);
        break;
      case '--database-prefix': {
        const prefix = value(arg);
        if (!/^[a-z_][a-z0-9_]{0,44}$/.test(prefix)) throw new Error(`--database-prefix must be lower-case letters, digits and _\n${USAGE}`);
        options.databasePrefix = prefix;
        break;
      }
      case '--sandbox-size': {
        const size = value(arg);
        const known = SIZES.find((candidate) => candidate === size);
        if (known === undefined) throw new Error(`--sandbox-size must be one of ${SIZES.join(', ')}\n${USAGE}`);
        options.sandboxSize = known;
        break;
      }
      case '--no-live-activity':
        options.liveActivity = false;
        break;
      case '--without':
        options.without.push(...value(arg).split(',').map((app) => app.trim()).filter((app) => app !== ''));
        break;
      case '--log-level':
        options.logLevel = value(arg);
        break;
      case '--timeout': {
        const seconds = Number.parseInt(value(arg), 10);
        if (!Number.isInteger(seconds) || seconds < 5) throw new Error(`--timeout must be a whole number of seconds ≥ 5\n${USAGE}`);
        options.timeoutMs = seconds * 1000;
        break;
      }
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return options;
}
