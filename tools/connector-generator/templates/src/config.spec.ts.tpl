import { ConfigError } from '@finmesh/service-runtime';
import { load__Name__Config } from './config';

const valid = {
  DATABASE_URL: 'postgres://connector:pa55word@127.0.0.1:5432/__name__',
  KAFKA_BROKERS: '127.0.0.1:9092',
  __NAME___BASE_URL: 'https://api.example.com/__name__/',
  __NAME___API_TOKEN: 'token-value-1',
};

describe('__name__ connector configuration', () => {
  it('types every setting and fills the defaults', () => {
    expect(load__Name__Config(valid)).toMatchObject({
      __NAME___BASE_URL: 'https://api.example.com/__name__',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_CLIENT_ID: 'finmesh-connector-__name__',
      PORT: __port__,
      __NAME___PAGE_SIZE: 100,
    });
  });

  it('names every missing or malformed variable and never prints a secret', () => {
    let error: unknown;
    try {
      load__Name__Config({ ...valid, __NAME___BASE_URL: 'ftp://nowhere', __NAME___API_TOKEN: 'short' });
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/__NAME___BASE_URL/);
    expect(message).toMatch(/__NAME___API_TOKEN/);
    expect(message).not.toContain('short');
    expect(message).not.toContain('pa55word');
  });
});
