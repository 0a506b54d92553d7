import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseEndpointModelId, servesModel } from './model-id';

describe('servesModel', () => {
  test.each([
    // [worker, job, serves]
    ['/ckpt/a', '/ckpt/a', true],
    ['/ckpt/a', '/ckpt/b', false],
    ['m@http://a:1/v1', 'm@http://a:1/v1', true],
    ['m@http://a:1/v1', 'm@http://b:1/v1', false],
    ['m@http://b:1/v1', 'm@http://a:1/v1,http://b:1/v1', true],
    ['other@http://b:1/v1', 'm@http://a:1/v1,http://b:1/v1', false],
    ['m@http://c:1/v1', 'm@http://a:1/v1,http://b:1/v1', false],
    // A worker on the whole fleet serves its jobs; one on more than the fleet does not.
    ['m@http://a:1/v1,http://b:1/v1', 'm@http://a:1/v1,http://b:1/v1', true],
    ['m@http://a:1/v1,http://c:1/v1', 'm@http://a:1/v1,http://b:1/v1', false],
    // Paths with an @ are paths, never fleets.
    ['/data/x@y', '/data/x@y,z', false],
    ['name@a/b@http://a:1/v1', 'name@a/b@http://a:1/v1,http://b:1/v1', true],
  ])('%s serves %s: %s', (worker, job, serves) => {
    expect(servesModel(worker, job)).toBe(serves);
  });

  test('parse: the name is everything before the last @', () => {
    expect(parseEndpointModelId('org/model@v2@http://h:8000/v1')).toEqual({
      name: 'org/model@v2',
      urls: ['http://h:8000/v1'],
    });
    expect(parseEndpointModelId('@http://h/v1')).toBeNull();
    expect(parseEndpointModelId('m@ftp://h')).toBeNull();
  });

  test('property: every member of a fleet serves it, and nothing outside it does', () => {
    const url = fc.integer({ min: 1, max: 50 }).map((n) => `http://gpu-${n}:30000/v1`);
    fc.assert(
      fc.property(fc.uniqueArray(url, { minLength: 1, maxLength: 6 }), url, (fleet, probe) => {
        const job = `policy@${fleet.join(',')}`;
        for (const member of fleet) expect(servesModel(`policy@${member}`, job)).toBe(true);
        expect(servesModel(`policy@${probe}`, job)).toBe(fleet.includes(probe));
        expect(servesModel(`other@${fleet[0]}`, job)).toBe(false);
      }),
    );
  });
});
