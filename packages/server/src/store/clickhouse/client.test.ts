import { describe, expect, it } from 'vitest';
import { parseClickHouseUrl } from './client.js';

describe('parseClickHouseUrl', () => {
  it('takes the user, password and database apart, and names the server without the password', () => {
    expect(parseClickHouseUrl('http://spoor:s%40cret@ch.internal:8123/spoor')).toEqual({
      url: 'http://ch.internal:8123',
      username: 'spoor',
      password: 's@cret',
      database: 'spoor',
      compress: false,
      redacted: 'http://spoor@ch.internal:8123/spoor',
    });
    expect(parseClickHouseUrl('clickhouse://ch:8123')).toMatchObject({ url: 'http://ch:8123', username: 'default', database: null });
  });

  it('compresses only when asked to', () => {
    expect(parseClickHouseUrl('https://u:p@ch.cloud:8443/db?compress=1').compress).toBe(true);
    expect(parseClickHouseUrl('https://u:p@ch.cloud:8443/db?compress=0').compress).toBe(false);
    expect(() => parseClickHouseUrl('http://ch:8123/db?compress=yes')).toThrow("?compress= takes 1 or 0, not 'yes'");
    expect(() => parseClickHouseUrl('http://ch:8123/db?timeout=5')).toThrow("takes one option, ?compress=1; not 'timeout'");
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => parseClickHouseUrl('ch:8123')).toThrow('a ClickHouse URL starts with http:// or https://');
    expect(() => parseClickHouseUrl('http://')).toThrow('not a ClickHouse URL');
  });
});
