import { BodyFormatError, mediaTypeOf, parsedBodyOf, readFields } from './bodies';

describe('callback bodies', () => {
  it('recognises the accepted media types whatever their case and parameters', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeOf('multipart/form-data; boundary=x')).toBe('multipart/form-data');
    expect(mediaTypeOf('application/x-www-form-urlencoded')).toBe('application/x-www-form-urlencoded');
    expect(mediaTypeOf('text/plain')).toBeUndefined();
    expect(mediaTypeOf(undefined)).toBeUndefined();
  });

  it('reads form fields in order, decoded', () => {
    expect(readFields('application/x-www-form-urlencoded', Buffer.from('a=1&b=x+y%21&a=2'))).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y!' },
      { name: 'a', value: '2' },
    ]);
  });

  it('reads multipart text fields and skips files', () => {
    const body = Buffer.from(
      [
        '--XyZ',
        'Content-Disposition: form-data; name="request_id"',
        '',
        'abc123',
        '--XyZ',
        'Content-Disposition: form-data; name="proof"; filename="p.bin"',
        'Content-Type: application/octet-stream',
        '',
        '\u0000\u0001',
        '--XyZ',
        'content-disposition: form-data; name="note"',
        '',
        'two\r\nlines',
        '--XyZ--',
        '',
      ].join('\r\n'),
      'latin1',
    );
    expect(readFields('multipart/form-data; boundary="XyZ"', body)).toEqual([
      { name: 'request_id', value: 'abc123' },
      { name: 'note', value: 'two\r\nlines' },
    ]);
  });

  it.each([
    ['no boundary parameter', 'multipart/form-data', '--x\r\n\r\n--x--'],
    ['no boundary line', 'multipart/form-data; boundary=x', 'nothing here'],
    ['an unclosed part', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'],
    ['a part without a name', 'multipart/form-data; boundary=x', '--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--'],
    ['invalid UTF-8', 'application/x-www-form-urlencoded', '\xff\xfe'],
    ['a JSON array', 'application/json', '[1,2]'],
    ['a JSON object with a nested value', 'application/json', '{"a":{"b":1}}'],
  ])('refuses %s as fields', (_case, type, text) => {
    expect(() => readFields(type, Buffer.from(text, 'latin1'))).toThrow(BodyFormatError);
  });

  it('keeps JSON numbers as their exact text in the parsed view', () => {
    expect(parsedBodyOf('application/json', Buffer.from('{"amount":0.1,"big":123456789012345678901234567890}'))).toEqual({
      amount: '0.1',
      big: '123456789012345678901234567890',
    });
  });

  it('groups repeated form fields, and keeps a "__proto__" field as data', () => {
    const parsed = parsedBodyOf('application/x-www-form-urlencoded', Buffer.from('a=1&a=2&a=3&__proto__=x'));
    expect(parsed).toEqual({ a: ['1', '2', '3'], ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('leaves out a parsed view it cannot give: malformed, too deep or empty', () => {
    expect(parsedBodyOf('application/json', Buffer.from('{"a":'))).toBeUndefined();
    expect(parsedBodyOf('application/json', Buffer.from(`${'['.repeat(40)}${']'.repeat(40)}`))).toBeUndefined();
    expect(parsedBodyOf('application/json', Buffer.from('['.repeat(100_000)))).toBeUndefined();
    expect(parsedBodyOf('application/json', Buffer.alloc(0))).toBeUndefined();
  });

  it('gives a parsed view up to 32 levels of nesting, not one more', () => {
    const nested = (levels: number, inner: string): string => `${'['.repeat(levels - 1)}${inner}${']'.repeat(levels - 1)}`;
    expect(parsedBodyOf('application/json', Buffer.from(nested(32, '"x"')))).toBeDefined();
    expect(parsedBodyOf('application/json', Buffer.from(nested(33, '"x"')))).toBeUndefined();
    expect(parsedBodyOf('application/json', Buffer.from(nested(32, '[]')))).toBeDefined();
    expect(parsedBodyOf('application/json', Buffer.from(nested(33, '[]')))).toBeUndefined();
    expect(parsedBodyOf('application/json', Buffer.from(nested(31, '{}')))).toBeDefined();
    expect(parsedBodyOf('application/json', Buffer.from(`{"a":${nested(31, '1')}}`))).toBeDefined();
  });
});
