/** What the reads bench's parent and its tabs process say to each other over IPC. */
import type { LatencySummary } from '../fanout/common.js';

/** One user's browser tab: a session for one course, whose course room is open. */
export interface Tab {
  token: string;
  userId: string;
  courseId: string;
  roomId: string;
}

/**
 * How a tab marks what it read: `off` not at all; `on` as the web app does now (web/src/chat/read-marker.ts: at most
 * one markRoomRead per interval, a course room's by default, the newest seq, nothing the server holds); `per-message` as it did before (a
 * markRoomRead 300 ms after each arriving message).
 */
export const MODES = ['off', 'on', 'per-message'] as const;
export type Mode = (typeof MODES)[number];

export interface ConnectCmd {
  cmd: 'connect';
  httpUrl: string;
  wsUrl: string;
  tabs: Tab[];
}
export interface PhaseCmd {
  cmd: 'phase';
  tag: string;
  mode: Mode;
  seconds: number;
  /** Each user sends one message every this many seconds (each at its own phase). */
  everySeconds: number;
  size: number;
  /** Waiting for late deliveries after the last send. */
  graceMs: number;
  /** `on`: the marker's interval; null: the web app's for a course room. */
  markIntervalMs: number | null;
}
export type TabsCmd = ConnectCmd | PhaseCmd | { cmd: 'close' };

export interface ConnectedEv {
  ev: 'connected';
  tabs: number;
  subscriptions: number;
  failed: number;
  firstError: string | null;
  ms: number;
}
export interface PhaseEv {
  ev: 'phase';
  tag: string;
  mode: Mode;
  /** Wall clock of the first and the last send (the window the parent measures the server's CPU over). */
  firstSendAt: number;
  lastSendAt: number;
  sends: { ok: number; failed: number; firstFailure: string | null; httpMs: LatencySummary };
  deliveries: { expected: number; delivered: number; lost: number; duplicated: number; latencyMs: LatencySummary };
  marks: { sent: number; failed: number; firstFailure: string | null; perSecond: number; httpMs: LatencySummary };
  /** READ signals the tabs got on their room lists' feed (their own reads, from the server). */
  readSignals: number;
  /** The tabs process's CPU over the phase, as a share of one core (near 1: it is what limits). */
  cpuShare: number;
  subscriptionErrors: number;
  closes: number;
}
export type TabsEv = ConnectedEv | PhaseEv | { ev: 'closed' } | { ev: 'error'; message: string };
