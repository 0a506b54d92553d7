import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '@r1/model';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli } from './test-utils/capture-io';
import { countColour, decodePng } from './test-utils/png';
import { tinyCheckpoint } from './test-utils/tiny-checkpoint';

const CHROMIUM = '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'r1-eval-render-'));

beforeAll(() => {
  // CI runs as root with the Debian archive reachable; the one-off install is outside the test-time budget.
  if (!existsSync(CHROMIUM)) {
    execSync('apt-get update && apt-get install -y chromium', {
      stdio: 'ignore',
      timeout: 1_200_000,
    });
  }
}, 1_200_000);

function screenshot(html: string, name: string) {
  const png = join(work, `${name}.png`);
  const r = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${mkdtempSync(join(work, 'profile-'))}`,
      `--screenshot=${png}`,
      '--window-size=1200,1600',
      pathToFileURL(html).href,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(existsSync(png), `chromium wrote no screenshot: ${r.stderr}`).toBe(true);
  return { path: png, image: decodePng(readFileSync(png)) };
}

/** Pixels that are not (near) white. */
function inked(image: ReturnType<typeof decodePng>): number {
  return image.width * image.height - countColour(image, [255, 255, 255], 8);
}

describe('report.html in headless Chromium', () => {
  test('renders tables and both charts, self-contained (file://, no network)', async () => {
    await initBackend('cpu', { log: () => {} });
    const ckpt = await tinyCheckpoint(3);
    const out = join(work, 'run');
    const r = await cli(
      'run',
      '--model',
      ckpt,
      '--backend',
      'cpu',
      '--benchmark',
      'arithmetic',
      '--limit',
      '6',
      '--k',
      '4',
      '--max-tokens',
      '16',
      '--template',
      'raw',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const report = join(out, 'report.html');
    const shot = screenshot(report, 'report');
    expect(statSync(shot.path).size).toBeGreaterThan(20_000);
    expect([shot.image.width, shot.image.height]).toEqual([1200, 1600]);
    // A blank page as the control: the report must put far more on the screen than that.
    const blank = join(work, 'blank.html');
    writeFileSync(blank, '<!doctype html><html><body></body></html>');
    expect(inked(screenshot(blank, 'blank').image)).toBeLessThan(100);
    expect(inked(shot.image)).toBeGreaterThan(50_000);
    // The charts drew: the pass@k line is #2563eb; the "wrong" bars are #dc2626 at 0.8 opacity on white.
    expect(countColour(shot.image, [0x25, 0x63, 0xeb])).toBeGreaterThan(200);
    expect(countColour(shot.image, [227, 81, 81])).toBeGreaterThan(200);
  });
});
