import { parseBrokerList } from './kafka-client';

describe('parseBrokerList', () => {
  it('accepts a comma-separated list with spaces', () => {
    expect(parseBrokerList(' kafka-0:9092, kafka-1:9093 ')).toEqual(['kafka-0:9092', 'kafka-1:9093']);
  });

  it.each([
    ['', /empty/],
    ['kafka', /malformed entry "kafka"/],
    ['kafka:0', /malformed entry "kafka:0"/],
    ['kafka:99999', /malformed entry/],
    ['kafka:9092,:9093', /malformed entry ":9093"/],
  ])('rejects %p', (value, message) => {
    expect(() => parseBrokerList(value)).toThrow(message);
  });
});
