import { parseStackOptions } from './cli-options';

describe('npm start options', () => {
  it('defaults to the interactive live view on the registry ports with data in .finmesh', () => {
    const options = parseStackOptions([], '/repo', {});
    expect(options).toMatchObject({ mode: 'interactive', scenario: false, stateDir: '/repo/.finmesh', ports: 'registry', databasePrefix: 'finmesh_', kafkaPort: 9092 });
  });

  it('reads the headless scenario run used by tests', () => {
    const options = parseStackOptions(
      ['--headless', '--scenario', '--ports', 'auto', '--state-dir', 'tmp/x', '--topic-prefix', 't-1.', '--database-prefix', 'finmesh_test_1_', '--timeout', '30'],
      '/repo',
      { KAFKA_PORT: '9999' },
    );
    expect(options).toMatchObject({ mode: 'headless', scenario: true, ports: 'auto', stateDir: '/repo/tmp/x', topicPrefix: 't-1.', databasePrefix: 'finmesh_test_1_', timeoutMs: 30_000, kafkaPort: 9999 });
  });

  it('keeps --once (provision and exit)', () => {
    expect(parseStackOptions(['--once'], '/repo', {}).mode).toBe('provision');
  });

  it('refuses unknown options and bad values with the usage', () => {
    expect(() => parseStackOptions(['--fast'], '/repo', {})).toThrow(/unknown option --fast[\s\S]*usage: npm start/);
    expect(() => parseStackOptions(['--sandbox-size', 'huge'], '/repo', {})).toThrow(/tiny, small, medium, large/);
    expect(() => parseStackOptions(['--database-prefix', 'Bad-Name'], '/repo', {})).toThrow(/--database-prefix/);
    expect(() => parseStackOptions(['--timeout'], '/repo', {})).toThrow(/needs a value/);
  });
});
