import { describe, expect, test } from 'vitest';
import { parseRedisUrl, QueueUrlError } from './redis-url';

describe('parseRedisUrl', () => {
  test.each([
    ['redis://localhost:6379/0', { host: 'localhost', port: 6379, db: 0, tls: false, display: 'localhost:6379/0' }],
    ['redis://10.0.0.5/3', { host: '10.0.0.5', port: 6379, db: 3, tls: false }],
    ['redis://h:7000', { host: 'h', port: 7000, db: 0 }],
    ['rediss://h:6380/1', { host: 'h', port: 6380, db: 1, tls: true }],
    ['redis://:s3cret@h:1/2', { host: 'h', port: 1, db: 2, password: 's3cret' }],
    ['redis://me:p%40ss@h/0', { username: 'me', password: 'p@ss' }],
    ['redis://[::1]:6379/0', { host: '::1', port: 6379 }],
  ])('%s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  test('the display never holds the password', () => {
    expect(parseRedisUrl('redis://:s3cret@h:1/2').display).toBe('h:1/2');
  });

  test.each([
    ['localhost:6379', /not a URL|scheme/],
    ['http://localhost:6379/0', /scheme is 'http:'/],
    ['redis://localhost:6379/x', /database number/],
    ['redis://localhost:6379/16', /16 databases/],
    ['redis://localhost:99999/0', /not a URL|port/],
    ['redis://localhost:6379/0?db=2', /query strings/],
    ['not a url', /not a URL/],
  ])('%s is refused, naming the field', (url, why) => {
    let error: unknown;
    try {
      parseRedisUrl(url, '--queue');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueueUrlError);
    expect((error as QueueUrlError).field).toBe('--queue');
    expect((error as Error).message).toMatch(/^--queue must be a Redis URL like redis:\/\/localhost:6379\/0/);
    expect((error as Error).message).toMatch(why);
  });
});
