import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Remembered window size and position: parsing, placing on the current displays, and saving. Pure Node (no
 * 'electron'), so it is unit-tested; shell/window.ts passes in the displays' work areas.
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  /** The normal (not maximized) bounds. */
  readonly bounds: Rect;
  readonly maximized: boolean;
}

export interface WindowPlacement {
  /** Absent: let the window system centre it. */
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_WINDOW_SIZE = { width: 1200, height: 800 } as const;
export const MIN_WINDOW_SIZE = { width: 760, height: 520 } as const;
const MAX_COORDINATE = 100_000;
/** How much of the title bar must be on a display for the saved position to be kept: enough to grab it. */
const GRAB_WIDTH = 120;
const GRAB_HEIGHT = 32;

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function parseRect(value: unknown): Rect | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { x, y, width, height } = value as Record<string, unknown>;
  if (!isInt(x, -MAX_COORDINATE, MAX_COORDINATE) || !isInt(y, -MAX_COORDINATE, MAX_COORDINATE)) return undefined;
  if (!isInt(width, 1, MAX_COORDINATE) || !isInt(height, 1, MAX_COORDINATE)) return undefined;
  return { x, y, width, height };
}

/** The saved state in `text`, or undefined when it is not a state this version wrote (then defaults apply). */
export function parseWindowState(text: string): WindowState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const bounds = parseRect(record.bounds);
  if (!bounds || typeof record.maximized !== 'boolean') return undefined;
  return { bounds, maximized: record.maximized };
}

function intersection(a: Rect, b: Rect): Rect | undefined {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : undefined;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), Math.max(min, max));

function fitSize(width: number, height: number, area: Rect): { width: number; height: number } {
  return {
    width: clamp(width, Math.min(MIN_WINDOW_SIZE.width, area.width), area.width),
    height: clamp(height, Math.min(MIN_WINDOW_SIZE.height, area.height), area.height),
  };
}

/**
 * Where the window opens, given what was saved and the work areas of the displays now attached (primary first).
 * The saved bounds are kept when their title bar can be grabbed on some display, shrunk and moved to fit that
 * display; otherwise (display unplugged, resolution changed) the window opens centred on the primary display
 * with the saved size where it fits. A window is never placed off-screen.
 */
export function placeWindow(saved: WindowState | undefined, workAreas: readonly Rect[]): WindowPlacement {
  const primary = workAreas[0];
  if (!primary) {
    const size = saved?.bounds ?? DEFAULT_WINDOW_SIZE;
    return { width: size.width, height: size.height, maximized: saved?.maximized ?? false };
  }
  if (!saved) {
    return { ...fitSize(DEFAULT_WINDOW_SIZE.width, DEFAULT_WINDOW_SIZE.height, primary), maximized: false };
  }
  const { bounds } = saved;
  const titleBar: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(GRAB_HEIGHT, bounds.height) };
  const host = workAreas.find((area) => {
    const grab = intersection(titleBar, area);
    return grab !== undefined && grab.width >= Math.min(GRAB_WIDTH, bounds.width) && grab.height >= Math.min(GRAB_HEIGHT, bounds.height) / 2;
  });
  const area = host ?? primary;
  const size = fitSize(bounds.width, bounds.height, area);
  if (!host) {
    return {
      x: area.x + Math.floor((area.width - size.width) / 2),
      y: area.y + Math.floor((area.height - size.height) / 2),
      ...size,
      maximized: saved.maximized,
    };
  }
  return {
    x: clamp(bounds.x, area.x, area.x + area.width - size.width),
    y: clamp(bounds.y, area.y, area.y + area.height - size.height),
    ...size,
    maximized: saved.maximized,
  };
}

/** The saved state, or undefined when there is none or it is unreadable (a bad file never stops the app). */
export function readWindowState(dataDir: string): WindowState | undefined {
  try {
    return parseWindowState(fs.readFileSync(path.join(dataDir, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Saves the state atomically: a temporary file in the same dir, flushed, then renamed over the old one, so a
 * crash leaves either the old or the new state, never half of one. Synchronous because it runs while closing.
 */
export function writeWindowState(dataDir: string, state: WindowState): void {
  const target = path.join(dataDir, WINDOW_STATE_FILE);
  const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const text = `${JSON.stringify({ bounds: state.bounds, maximized: state.maximized }, null, 2)}\n`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'w', 0o600);
    fs.writeFileSync(fd, text, 'utf8');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
