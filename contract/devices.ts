import { z } from 'zod';
import { defineEvent, defineMethod } from './define';

/**
 * Devices: phones linked to an account, their reports and location history, remote commands and
 * the activation lock. Two surfaces share these shapes: the owner's RPC methods below and the
 * device-agent HTTP API under /agent/v1/ (docs/agent-api.md).
 */

// ---------------------------------------------------------------------------------------------
// Shared pieces

export const DeviceId = z.string().min(1).max(64);
/** Bounds the raw text; the account service decides whether it is right. */
export const DevicePasswordText = z.string().min(1, 'Type your password.').max(1024, 'A password can be at most 128 characters.');

export const LocationSource = z.enum(['gps', 'network', 'wifi', 'cell', 'fused']);
export type LocationSource = z.infer<typeof LocationSource>;
export const NetworkType = z.enum(['wifi', 'cellular', 'ethernet', 'none', 'unknown']);
export type NetworkType = z.infer<typeof NetworkType>;
export const DevicePlatform = z.enum(['android', 'ios', 'other']);
export type DevicePlatform = z.infer<typeof DevicePlatform>;

export const Latitude = z.number().min(-90, 'Latitude must be between -90 and 90.').max(90, 'Latitude must be between -90 and 90.');
export const Longitude = z.number().min(-180, 'Longitude must be between -180 and 180.').max(180, 'Longitude must be between -180 and 180.');

export const DeviceBattery = z.object({
  percent: z.number().int().min(0).max(100),
  charging: z.boolean(),
});
export type DeviceBattery = z.infer<typeof DeviceBattery>;

export const DeviceNetwork = z.object({
  type: NetworkType,
  operator: z.string().max(100).optional(),
});
export type DeviceNetwork = z.infer<typeof DeviceNetwork>;

/** What the owner sees about the SIM; the ICCID hash never leaves the service. */
export const DeviceSimInfo = z.object({
  slot: z.number().int().min(0).max(7),
  operator: z.string().max(100).optional(),
});
export type DeviceSimInfo = z.infer<typeof DeviceSimInfo>;

export const CommandType = z.enum(['ring', 'lost_mode', 'end_lost_mode', 'locate_now', 'erase']);
export type CommandType = z.infer<typeof CommandType>;
export const CommandStatus = z.enum(['queued', 'delivered', 'done', 'failed']);
export type CommandStatus = z.infer<typeof CommandStatus>;

/** Parameters as they travel to the phone (no password, no typed name). */
export const RingParams = z.object({ seconds: z.number().int().min(5).max(300) }).strict();
export const LostModeParams = z
  .object({
    message: z.string().trim().min(1, 'Write a message to show on the phone.').max(200, 'Keep the message to 200 characters.'),
    phone: z
      .string()
      .trim()
      .min(3, 'Give a number the finder can call.')
      .max(32)
      .regex(/^\+?[0-9 ()./-]{3,32}$/, 'Give a phone number using digits, spaces and + ( ) - . / only.'),
  })
  .strict();
export const EmptyParams = z.object({}).strict();

export const DeviceCommand = z.object({
  id: z.string(),
  deviceId: z.string(),
  type: CommandType,
  params: z.record(z.string(), z.unknown()),
  status: CommandStatus,
  createdAt: z.number().int(),
  deliveredAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
  /** What the phone said about it (or why it was dropped); short text, never a secret. */
  detail: z.string().nullable(),
});
export type DeviceCommand = z.infer<typeof DeviceCommand>;

export const LostModeState = z.enum(['off', 'pending', 'on', 'ending']);
export type LostModeState = z.infer<typeof LostModeState>;

export const DeviceLocation = z.object({
  lat: z.number(),
  lon: z.number(),
  accuracyM: z.number(),
  source: LocationSource,
  at: z.number().int(),
  /** An offline place name such as "near Bandung, Indonesia", when a bundled city is close enough. */
  place: z.string().optional(),
});
export type DeviceLocation = z.infer<typeof DeviceLocation>;

export const DeviceSummary = z.object({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  platform: DevicePlatform,
  osVersion: z.string(),
  /** Reported in within the last few minutes. */
  online: z.boolean(),
  lastSeenAt: z.number().int().nullable(),
  battery: DeviceBattery.nullable(),
  network: DeviceNetwork.nullable(),
  sim: DeviceSimInfo.nullable(),
  screenLocked: z.boolean().nullable(),
  lastLocation: DeviceLocation.nullable(),
  findDevice: z.boolean(),
  activationLock: z.boolean(),
  lostMode: z.object({ state: LostModeState, message: z.string().nullable(), phone: z.string().nullable() }),
  /** Wiped by an erase command; waits for the owner's credentials on the phone (POST /agent/v1/activate). */
  erased: z.boolean(),
  createdAt: z.number().int(),
});
export type DeviceSummary = z.infer<typeof DeviceSummary>;

export const HistoryPoint = z.object({
  lat: z.number(),
  lon: z.number(),
  accuracyM: z.number(),
  source: LocationSource,
  at: z.number().int(),
  batteryPercent: z.number().int().nullable(),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

export const AlertKind = z.enum(['lost_device_reported', 'sim_changed', 'erase_done', 'activation_held']);
export type AlertKind = z.infer<typeof AlertKind>;

export const DeviceAlert = z.object({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  kind: AlertKind,
  /** One sentence for the person, already in words. */
  message: z.string(),
  at: z.number().int(),
});
export type DeviceAlert = z.infer<typeof DeviceAlert>;

export const DeviceSettings = z.object({
  /** Location history older than this is deleted. */
  historyRetentionDays: z.number().int().min(1).max(365),
  /** An OpenStreetMap-style tile URL ({z}/{x}/{y}) for street detail when online; null keeps the map offline. */
  onlineTileUrl: z.string().nullable(),
});
export type DeviceSettings = z.infer<typeof DeviceSettings>;

export const TileUrlTemplate = z
  .string()
  .max(300)
  .regex(/^https:\/\/[^\s"'<>]+$/, 'Use an https:// address.')
  .refine((url) => url.includes('{z}') && url.includes('{x}') && url.includes('{y}'), 'The address must contain {z}, {x} and {y}.');

const TimeMs = z.number().int().min(0).max(8.64e15);

// ---------------------------------------------------------------------------------------------
// Owner methods (RPC)

export const DeviceCommandRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ring'), seconds: RingParams.shape.seconds }).strict(),
  z.object({ type: z.literal('lost_mode'), message: LostModeParams.shape.message, phone: LostModeParams.shape.phone }).strict(),
  z.object({ type: z.literal('end_lost_mode') }).strict(),
  z.object({ type: z.literal('locate_now') }).strict(),
  z
    .object({
      type: z.literal('erase'),
      /** Erase is the one command that cannot be undone: the password again ... */
      password: DevicePasswordText,
      /** ... and the device's name typed out. */
      confirmName: z.string().min(1, "Type the device's name to confirm.").max(200),
    })
    .strict(),
]);
export type DeviceCommandRequest = z.infer<typeof DeviceCommandRequest>;

export const deviceMethods = {
  'devices.list': defineMethod({
    summary: "The signed-in account's phones with their state: online or last seen, battery, network, SIM, lost mode, activation lock.",
    access: 'session',
    input: z.object({}).strict(),
    output: z.object({ devices: z.array(DeviceSummary) }),
  }),
  'devices.enrollStart': defineMethod({
    summary: 'A one-time code (8 characters, 10 minutes) and a QR code for linking a phone to the account.',
    access: 'session',
    input: z.object({}).strict(),
    output: z.object({
      /** Shown grouped as ABCD-EFGH; dashes and spaces are ignored when typed. */
      code: z.string(),
      expiresAt: z.number().int(),
      /** Built only from LIFELINE_PUBLIC_URL or the host's own address, never from a request header. */
      enrollUrl: z.string(),
      /** `data:image/png;base64,...` encoding enrollUrl. */
      qrDataUrl: z.string(),
      /** False when the address is loopback: a phone cannot reach it, set LIFELINE_PUBLIC_URL. */
      reachableFromPhones: z.boolean(),
    }),
  }),
  'devices.history': defineMethod({
    summary: "A device's location trail in a time range, oldest first.",
    access: 'session',
    input: z
      .object({
        deviceId: DeviceId,
        from: TimeMs.optional(),
        to: TimeMs.optional(),
        limit: z.number().int().min(1).max(100_000).optional(),
      })
      .strict(),
    output: z.object({ points: z.array(HistoryPoint), truncated: z.boolean() }),
  }),
  'devices.exportHistory': defineMethod({
    summary: "A device's location trail as a GPX or GeoJSON document.",
    access: 'session',
    input: z
      .object({
        deviceId: DeviceId,
        format: z.enum(['gpx', 'geojson']),
        from: TimeMs.optional(),
        to: TimeMs.optional(),
      })
      .strict(),
    output: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string(), points: z.number().int() }),
  }),
  'devices.command': defineMethod({
    summary: 'Queues a command for a phone: ring, lost mode, end lost mode, locate now or erase (erase needs the password and the name typed).',
    access: 'session',
    input: z.object({ deviceId: DeviceId, command: DeviceCommandRequest }).strict(),
    output: DeviceCommand,
  }),
  'devices.commands': defineMethod({
    summary: "A device's commands, newest first, with their status (queued, delivered, done, failed).",
    access: 'session',
    input: z.object({ deviceId: DeviceId, limit: z.number().int().min(1).max(500).optional() }).strict(),
    output: z.object({ commands: z.array(DeviceCommand) }),
  }),
  'devices.remove': defineMethod({
    summary: 'Removes a phone from the account (password again): turns its activation lock off, ends its token and deletes its history.',
    access: 'session',
    input: z.object({ deviceId: DeviceId, password: DevicePasswordText }).strict(),
    output: z.object({ removed: z.literal(true) }),
  }),
  'devices.alerts': defineMethod({
    summary: "The account's device alerts, newest first: a lost phone reported in, a SIM changed, an erase finished.",
    access: 'session',
    input: z.object({ deviceId: DeviceId.optional(), limit: z.number().int().min(1).max(500).optional() }).strict(),
    output: z.object({ alerts: z.array(DeviceAlert) }),
  }),
  'devices.settings': defineMethod({
    summary: 'Device settings: how long location history is kept and the optional online map layer.',
    access: 'session',
    input: z.object({}).strict(),
    output: DeviceSettings,
  }),
  'devices.updateSettings': defineMethod({
    summary: 'Changes device settings; a shorter history period deletes older points at once.',
    access: 'session',
    input: z
      .object({
        historyRetentionDays: DeviceSettings.shape.historyRetentionDays.optional(),
        onlineTileUrl: TileUrlTemplate.nullable().optional(),
      })
      .strict(),
    output: DeviceSettings,
  }),
};

/**
 * Events carry ids and states only: the event stream reaches every window of the host, so the
 * details (names, places, messages) are fetched through the session-checked methods above.
 */
export const deviceEvents = {
  'devices.updated': defineEvent({
    summary: 'A device reported in, changed state, was linked or removed; re-read devices.list.',
    payload: z.object({ deviceId: z.string(), removed: z.boolean().optional() }),
  }),
  'devices.commandUpdated': defineEvent({
    summary: "A command's status changed (queued, delivered, done, failed).",
    payload: z.object({ deviceId: z.string(), commandId: z.string(), type: CommandType, status: CommandStatus }),
  }),
  'devices.alert': defineEvent({
    summary: 'A new device alert; read it with devices.alerts.',
    payload: z.object({ deviceId: z.string(), alertId: z.string(), kind: AlertKind }),
  }),
};

export type DeviceMethodName = keyof typeof deviceMethods;
export type DeviceEventName = keyof typeof deviceEvents;
export type DeviceEventPayload<E extends DeviceEventName> = z.output<(typeof deviceEvents)[E]['payload']>;

// ---------------------------------------------------------------------------------------------
// Device-agent wire format (POST /agent/v1/...). Documented in docs/agent-api.md.

const ShortText = (max: number) => z.string().trim().max(max);

export const AgentEnrollRequest = z
  .object({
    code: z.string().min(1).max(32),
    name: ShortText(64).min(1, 'Give the device a name.'),
    model: ShortText(64).min(1, 'Give the device model.'),
    platform: DevicePlatform,
    osVersion: ShortText(32).min(1, 'Give the OS version.'),
    serial: ShortText(64).regex(/^[A-Za-z0-9._:-]+$/, 'A serial number uses letters, digits and . _ : - only.').optional(),
    imei: z.string().regex(/^[0-9]{14,16}$/, 'An IMEI is 15 digits.').optional(),
  })
  .strict();
export type AgentEnrollRequest = z.infer<typeof AgentEnrollRequest>;

/** Milliseconds since 1970 or an ISO 8601 date-time with a zone. */
export const AgentTimestamp = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]);

export const AgentReport = z
  .object({
    at: AgentTimestamp,
    location: z
      .object({
        lat: Latitude,
        lon: Longitude,
        accuracyM: z.number().min(0).max(1_000_000),
        source: LocationSource,
      })
      .strict()
      .optional(),
    battery: DeviceBattery.strict().optional(),
    network: DeviceNetwork.strict().optional(),
    sim: z
      .object({
        slot: DeviceSimInfo.shape.slot,
        operator: DeviceSimInfo.shape.operator,
        /** A hash of the ICCID made on the phone (hex or base64url, 16-128 chars); never the ICCID itself. */
        iccidHash: z.string().regex(/^[A-Za-z0-9_=-]{16,128}$/, 'iccidHash must be 16-128 hex or base64url characters.'),
      })
      .strict()
      .optional(),
    screenLocked: z.boolean().optional(),
  })
  .strict();
export type AgentReport = z.infer<typeof AgentReport>;

export const AgentCommandResult = z
  .object({
    status: z.enum(['done', 'failed']),
    detail: z.string().max(500).optional(),
  })
  .strict();
export type AgentCommandResult = z.infer<typeof AgentCommandResult>;

export const AgentActivateRequest = z
  .object({
    deviceId: DeviceId.optional(),
    serial: z.string().min(1).max(64).optional(),
    /** The owner's phone number, email or account ID. */
    account: z.string().min(1).max(320),
    password: DevicePasswordText,
  })
  .strict()
  .refine((body) => (body.deviceId === undefined) !== (body.serial === undefined), {
    message: 'Give either deviceId or serial (one of them).',
    path: ['deviceId'],
  });
export type AgentActivateRequest = z.infer<typeof AgentActivateRequest>;

export const AgentCommandOut = z.object({ id: z.string(), type: CommandType, params: z.record(z.string(), z.unknown()) });
export type AgentCommandOut = z.infer<typeof AgentCommandOut>;
