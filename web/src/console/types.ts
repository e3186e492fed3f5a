/** The shapes of the API as the console reads them (src/modules/events/events.schemas.ts). */
import type { Message } from '../shared/api.js';

export const STATUSES = ['reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended', 'closed', 'rejected', 'withdrawn', 'merged'] as const;
export type Status = (typeof STATUSES)[number];
export const OPEN_STATUSES: Status[] = ['reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended'];
export const CHANNELS = ['citizen', 'patrol', 'hotline', 'integration'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface UnitRef { id: number; code: string; name: string }
export interface Deadline { stage: string | null; state: string; startedAt: string | null; warnAt: string | null; dueAt: string | null; escalateAt: string | null }

export interface EventView {
  id: number;
  version: number;
  status: Status;
  statusName: Message;
  category: { code: string; name: string; nameEn: string; version: number };
  priority: number;
  urgent: boolean;
  channel: Channel;
  description: string;
  address: string | null;
  attributes: Record<string, unknown>;
  location: { lon: number; lat: number } | null;
  area: { city: string; county: string; township: string | null; village: string | null; grid: string | null; name: string };
  owner: UnitRef;
  handler: UnitRef | null;
  assignee: { unit: UnitRef | null; user: { id: number; name: string } | null };
  deadline: Deadline;
  dueAt: string | null;
  supervised: boolean;
  extensionRequest: { until: string; reason: string } | null;
  reworkCount: number;
  reopenCount: number;
  escalationCount: number;
  resolvedOnSpot: boolean;
  mergedInto: number | null;
  reporter: { name: string | null; phone: string | null; anonymous: boolean } | null;
  acceptedAt: string | null;
  dispatchedAt: string | null;
  handledAt: string | null;
  closedAt: string | null;
  closedOnTime: boolean | null;
  rating: number | null;
  ratingComment: string | null;
  createdAt: string;
  updatedAt: string;
  allowedActions: string[];
}

export interface PhotoView { token: string; mime: string; width: number; height: number; url: string; thumbnailUrl: string; originalUrl: string | null }

export interface TimelineEntry {
  id: number;
  eventId: number;
  action: string;
  actionName: Message;
  from: string | null;
  to: string;
  actor: { kind: string; name: string };
  owner: string | null;
  assignee: string | null;
  note: string | null;
  details: Record<string, unknown> | null;
  photos: PhotoView[];
  at: string;
}

export interface Duplicate { id: number; status: string; distanceM: number; createdAt: string }

export interface EventDetail extends EventView {
  timeline: TimelineEntry[];
  photos: PhotoView[];
  duplicates: Duplicate[];
  mergedCases: number[];
  following: boolean;
}

export interface Counts { total: number; overdue: number; byStatus: { status: string; n: number; overdue: number }[] }

export interface Category { code: string; group: string; groupName: string; groupNameEn: string; name: string; nameEn: string; handler: { kind: string; type: string }; active: boolean }

export interface OrgUnit { id: number; code: string; name: string; nameEn: string | null; level: string; kind: 'area' | 'center' | 'platform' | 'department'; type: string | null; parentId: number | null }

export interface Me { id: number; username: string; displayName: string; org: { id: number; code: string; name: string }; roles: string[] }

/** The list's filters, as the URL query of /api/v1/events (and counts, geojson, exports). */
export interface Filters {
  status?: string;
  category?: string[];
  org?: string;
  channel?: Channel;
  overdue?: boolean;
  from?: string;
  to?: string;
  q?: string;
}

/** The actions the console offers (the center's and the leader's); the others belong to other pages. */
export const CONSOLE_ACTIONS = ['accept', 'reject', 'dispatch', 'grant_extension', 'deny_extension', 'verify_pass', 'verify_fail', 'escalate', 'suspend', 'resume', 'merge', 'supervise'] as const;
export type ConsoleAction = (typeof CONSOLE_ACTIONS)[number];
