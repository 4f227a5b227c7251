// Validation of the builder options that arrive from users (CLI flags, config files). The
// encoders themselves take plain typed descriptions; only these entry points parse input.

import { z } from 'zod';

export const DemoCaptureOptions = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(20260115),
    benignFlows: z.number().int().min(0).max(10_000).default(70),
    format: z.enum(['pcap', 'pcapng']).default('pcap'),
    /** pcapng only: label each completing packet with an opt_comment. */
    comments: z.boolean().default(false),
  })
  .strict();
export type DemoCaptureOptions = z.infer<typeof DemoCaptureOptions>;

export const LoadCaptureOptions = z
  .object({
    messages: z.number().int().min(1).max(100_000_000),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
  })
  .strict();
export type LoadCaptureOptions = z.infer<typeof LoadCaptureOptions>;

export function parseDemoCaptureOptions(input: unknown): DemoCaptureOptions {
  return DemoCaptureOptions.parse(input ?? {});
}

export function parseLoadCaptureOptions(input: unknown): LoadCaptureOptions {
  return LoadCaptureOptions.parse(input);
}
