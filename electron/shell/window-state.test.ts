import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE,
  WINDOW_STATE_FILE,
  parseWindowState,
  placeWindow,
  readWindowState,
  writeWindowState,
  type Rect,
  type WindowPlacement,
  type WindowState,
} from './window-state';

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };
const leftMonitor: Rect = { x: -1280, y: 200, width: 1280, height: 984 };

const state = (x: number, y: number, width: number, height: number, maximized = false): WindowState => ({
  bounds: { x, y, width, height },
  maximized,
});

function fullyInside(placement: WindowPlacement, area: Rect): boolean {
  if (placement.x === undefined || placement.y === undefined) return false;
  return (
    placement.x >= area.x &&
    placement.y >= area.y &&
    placement.x + placement.width <= area.x + area.width &&
    placement.y + placement.height <= area.y + area.height
  );
}

describe('parseWindowState', () => {
  it('reads what writeWindowState writes', () => {
    expect(parseWindowState('{"bounds":{"x":10,"y":-20,"width":900,"height":700},"maximized":true}')).toEqual(state(10, -20, 900, 700, true));
  });

  it.each([
    '',
    'null',
    '[]',
    '{',
    '{"bounds":{"x":10,"y":20,"width":900,"height":700}}',
    '{"bounds":{"x":"10","y":20,"width":900,"height":700},"maximized":false}',
    '{"bounds":{"x":10.5,"y":20,"width":900,"height":700},"maximized":false}',
    '{"bounds":{"x":10,"y":20,"width":0,"height":700},"maximized":false}',
    '{"bounds":{"x":10,"y":20,"width":-5,"height":700},"maximized":false}',
    '{"bounds":{"x":1e308,"y":20,"width":900,"height":700},"maximized":false}',
    '{"bounds":{"x":10,"y":20,"width":900,"height":700},"maximized":"yes"}',
    '{"bounds":null,"maximized":false}',
  ])('ignores %j', (text) => expect(parseWindowState(text)).toBeUndefined());
});

describe('placeWindow', () => {
  it('uses the default size, centred by the window system, the first time', () => {
    expect(placeWindow(undefined, [laptop])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false });
  });

  it('shrinks the default size to a small screen', () => {
    const small: Rect = { x: 0, y: 0, width: 1024, height: 700 };
    expect(placeWindow(undefined, [small])).toEqual({ width: 1024, height: 700, maximized: false });
  });

  it('keeps a saved position that is on a display', () => {
    expect(placeWindow(state(100, 80, 1000, 700), [laptop, rightMonitor])).toEqual({ x: 100, y: 80, width: 1000, height: 700, maximized: false });
    expect(placeWindow(state(2200, 100, 1600, 1000, true), [laptop, rightMonitor])).toEqual({
      x: 2200,
      y: 100,
      width: 1600,
      height: 1000,
      maximized: true,
    });
    expect(placeWindow(state(-1200, 300, 900, 600), [laptop, leftMonitor])).toEqual({ x: -1200, y: 300, width: 900, height: 600, maximized: false });
  });

  it('moves a window that sticks out over an edge back onto its display', () => {
    const placement = placeWindow(state(1500, 600, 1000, 700), [laptop]);
    expect(placement).toEqual({ x: 920, y: 340, width: 1000, height: 700, maximized: false });
    expect(fullyInside(placement, laptop)).toBe(true);
  });

  it('centres the window on the primary display when its display was unplugged', () => {
    const placement = placeWindow(state(2200, 100, 1600, 1000), [laptop]);
    expect(fullyInside(placement, laptop)).toBe(true);
    expect(placement).toEqual({ x: 160, y: 20, width: 1600, height: 1000, maximized: false });
  });

  it('does not keep a window whose title bar cannot be grabbed', () => {
    const centred = { x: 560, y: 220, width: 800, height: 600, maximized: false };
    // Only 40 px of the title bar would show at the right edge.
    expect(placeWindow(state(1880, 100, 800, 600), [laptop])).toEqual(centred);
    // The title bar is above the top of the screen.
    expect(placeWindow(state(100, -500, 800, 600), [laptop])).toEqual(centred);
  });

  it('shrinks a window larger than the display it lands on, but not below the minimum that fits', () => {
    const placement = placeWindow(state(0, 0, 5000, 3000), [laptop]);
    expect(placement).toEqual({ x: 0, y: 0, width: laptop.width, height: laptop.height, maximized: false });
    const tiny = placeWindow(state(0, 0, 100, 100), [laptop]);
    expect(tiny.width).toBe(MIN_WINDOW_SIZE.width);
    expect(tiny.height).toBe(MIN_WINDOW_SIZE.height);
  });

  it('never places a window off-screen, for any saved position and display layout', () => {
    const layouts: Rect[][] = [[laptop], [laptop, rightMonitor], [rightMonitor, laptop], [laptop, leftMonitor], [{ x: 0, y: 0, width: 800, height: 600 }]];
    for (const layout of layouts) {
      for (let x = -6000; x <= 6000; x += 750) {
        for (let y = -3000; y <= 3000; y += 750) {
          for (const [width, height] of [[400, 300], [1200, 800], [3000, 2000]] as const) {
            const placement = placeWindow(state(x, y, width, height), layout);
            expect(
              layout.some((area) => fullyInside(placement, area)),
              `${JSON.stringify({ x, y, width, height })} on ${JSON.stringify(layout)} -> ${JSON.stringify(placement)}`,
            ).toBe(true);
          }
        }
      }
    }
  });

  it('still answers a size when no display is reported', () => {
    expect(placeWindow(state(10, 10, 900, 600, true), [])).toEqual({ width: 900, height: 600, maximized: true });
  });
});

describe('reading and writing the state file', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-window-state-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips and replaces the previous state without leaving temporary files', () => {
    const dir = tempDir();
    expect(readWindowState(dir)).toBeUndefined();
    writeWindowState(dir, state(1, 2, 800, 600));
    writeWindowState(dir, state(30, 40, 1024, 768, true));
    expect(readWindowState(dir)).toEqual(state(30, 40, 1024, 768, true));
    expect(fs.readdirSync(dir)).toEqual([WINDOW_STATE_FILE]);
  });

  it('treats a damaged file as no state, and the next save repairs it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, WINDOW_STATE_FILE), '{"bounds":{"x":1,');
    expect(readWindowState(dir)).toBeUndefined();
    writeWindowState(dir, state(5, 6, 900, 700));
    expect(readWindowState(dir)).toEqual(state(5, 6, 900, 700));
  });

  it('keeps the old state and leaves no temporary file when the save fails', () => {
    const dir = tempDir();
    writeWindowState(dir, state(5, 6, 900, 700));
    // A directory where the file should go makes the rename fail on every platform.
    const blocked = tempDir();
    fs.mkdirSync(path.join(blocked, WINDOW_STATE_FILE));
    expect(() => writeWindowState(blocked, state(1, 1, 800, 600))).toThrow();
    expect(fs.readdirSync(blocked)).toEqual([WINDOW_STATE_FILE]);
    expect(readWindowState(dir)).toEqual(state(5, 6, 900, 700));
  });
});
