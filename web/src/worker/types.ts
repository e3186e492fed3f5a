/** The API shapes the grid-worker app reads (a subset of src/modules/events/events.schemas.ts). */
import type { Message } from '../shared/api.js';

export type WorkAction = 'sign' | 'return' | 'request_extension' | 'report_handled';
export const WORK_ACTIONS: readonly WorkAction[] = ['sign', 'return', 'request_extension', 'report_handled'];

export interface UnitRef { id: number; code: string; name: string }

export interface EventView {
  id: number;
  version: number;
  status: string;
  statusName: Message;
  category: { code: string; name: string; nameEn: string; version: number };
  priority: number;
  urgent: boolean;
  channel: string;
  description: string;
  address: string | null;
  location: { lon: number; lat: number } | null;
  area: { name: string; grid: string | null };
  assignee: { unit: UnitRef | null; user: { id: number; name: string } | null };
  deadline: { stage: string | null; state: string; startedAt: string | null; warnAt: string | null; dueAt: string | null; escalateAt: string | null };
  dueAt: string | null;
  supervised: boolean;
  extensionRequest: { until: string; reason: string } | null;
  reworkCount: number;
  resolvedOnSpot: boolean;
  createdAt: string;
  updatedAt: string;
  allowedActions: string[];
}

export interface PhotoView { token: string; url: string; thumbnailUrl: string; width: number; height: number }

export interface TimelineRow {
  id: number;
  action: string;
  actionName: Message;
  from: string | null;
  to: string;
  actor: { kind: string; name: string };
  note: string | null;
  photos: PhotoView[];
  at: string;
}

export interface EventDetail extends EventView {
  timeline: TimelineRow[];
  photos: PhotoView[];
}

export interface Category {
  code: string; group: string; groupName: string; groupNameEn: string; name: string; nameEn: string;
  evidenceRequired: boolean; urgent: boolean; keywords: string[]; active: boolean;
}

export interface Located {
  lon: number; lat: number;
  grid: UnitRef | null; village: UnitRef | null; township: UnitRef | null; county: UnitRef | null;
}

export interface Me { id: number; username: string; displayName: string; org: UnitRef; roles: string[] }
