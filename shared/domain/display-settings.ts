import { z } from 'zod';

/** The owner's customer-display settings (Settings → Customer display), without any secret. */
export const CustomerDisplaySettings = z.object({
  /** Off by default: when on, the web host also listens on `lanAddress:lanPort`, serving only the display. */
  lanEnabled: z.boolean(),
  /** An address of this machine on the shop's network, e.g. 192.168.1.20. */
  lanAddress: z.string().max(64),
  lanPort: z.number().int().min(1).max(65535),
  /** The desktop app's second monitor (Electron's display id); null: no second window. */
  monitorId: z.number().int().nullable(),
});
export type CustomerDisplaySettings = z.infer<typeof CustomerDisplaySettings>;

export const PairedDisplay = z.object({ id: z.string(), pairedAt: z.string() });
export type PairedDisplay = z.infer<typeof PairedDisplay>;

/** A screen attached to the desktop app (Electron's `screen`), for the owner to pick. */
export const Monitor = z.object({
  id: z.number().int(),
  label: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  primary: z.boolean(),
});
export type Monitor = z.infer<typeof Monitor>;

export const CustomerDisplayConfig = z.object({
  settings: CustomerDisplaySettings,
  displays: z.array(PairedDisplay),
  /** The screens attached now; empty where there are none to pick (the browser host). */
  monitors: z.array(Monitor),
});
export type CustomerDisplayConfig = z.infer<typeof CustomerDisplayConfig>;
