/**
 * The documents of Open311 GeoReport v2 (and mySociety's service request updates) as TypeBox
 * schemas: the JSON form (the "Spark" mapping of the XML: lists are arrays) for OpenAPI and the
 * service's types. XML is the same tree (open311.xml.ts). Nothing here validates input: Open311
 * parameters are read by open311.params.ts, where "empty" means "absent" as the spec asks.
 */
import { Type, type Static } from 'typebox';
import { StringEnum } from '../../platform/schema.js';
import { EXTENDED_STATUSES } from './open311.status.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const W3C = (description: string) => Type.String({ description: `${description}; W3C date-time with offset (+08:00)` });

export const Endpoint = Type.Object({
  specification: Type.String(), url: Type.String(), changeset: W3C('When this endpoint last changed'),
  type: StringEnum(['production', 'test'] as const), formats: Type.Array(Type.String()),
});

export const Discovery = Type.Object({
  changeset: W3C('When the services last changed'), contact: Type.String(), key_service: Type.String(), endpoints: Type.Array(Endpoint),
});
export type DiscoveryT = Static<typeof Discovery>;

export const Service = Type.Object({
  service_code: Type.String({ description: 'A Ping’an category code (4 digits)' }),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean({ description: 'True when the category asks extra fields: read its definition' }),
  type: StringEnum(['realtime', 'batch', 'blackbox'] as const),
  keywords: Type.String({ description: 'Comma-separated' }),
  group: Type.String({ description: 'The category’s group' }),
});
export type ServiceT = Static<typeof Service>;

export const AttributeValue = Type.Object({ key: Type.String(), name: Type.String() });

export const Attribute = Type.Object({
  variable: Type.Boolean(),
  code: Type.String(),
  datatype: StringEnum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const),
  required: Type.Boolean(),
  datatype_description: Nullable(Type.String()),
  order: Type.Integer({ minimum: 1 }),
  description: Type.String(),
  values: Type.Optional(Type.Array(AttributeValue, { description: 'Lists only' })),
});

export const ServiceDefinition = Type.Object({ service_code: Type.String(), attributes: Type.Array(Attribute) });
export type ServiceDefinitionT = Static<typeof ServiceDefinition>;

export const CreatedRequest = Type.Object({
  service_request_id: Type.Optional(Type.String({ description: 'Realtime (the default): the case id' })),
  token: Type.Optional(Type.String({ description: 'Batch (batch=true): resolve it with GET tokens/{token}' })),
  service_notice: Nullable(Type.String()),
  account_id: Nullable(Type.String()),
});
export type CreatedRequestT = Static<typeof CreatedRequest>;

export const TokenResult = Type.Object({ service_request_id: Type.String(), token: Type.String() });
export type TokenResultT = Static<typeof TokenResult>;

export const TimelineNote = Type.Object({
  update_id: Type.String(), action: Type.String(), status: StringEnum(EXTENDED_STATUSES), datetime: Type.String(), description: Nullable(Type.String()),
});

export const ExtendedAttributes = Type.Object({
  state: Type.String({ description: 'The Ping’an state (reported, accepted, dispatched, …)' }),
  state_name: Type.String(),
  deadline_state: Type.String({ description: 'normal, warning, overdue, escalated' }),
  merged_into: Nullable(Type.String()),
  notes: Type.Array(TimelineNote, { description: 'The published updates, oldest first' }),
}, { description: 'Only with extensions=true' });

export const ServiceRequest = Type.Object({
  service_request_id: Type.String(),
  status: StringEnum(['open', 'closed'] as const),
  status_notes: Nullable(Type.String()),
  service_name: Type.String(),
  service_code: Type.String(),
  description: Nullable(Type.String()),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Nullable(Type.String()),
  address: Nullable(Type.String()),
  address_id: Nullable(Type.String()),
  zipcode: Nullable(Type.String()),
  lat: Nullable(Type.Number()),
  long: Nullable(Type.Number()),
  media_url: Nullable(Type.String()),
  extended_attributes: Type.Optional(ExtendedAttributes),
});
export type ServiceRequestT = Static<typeof ServiceRequest>;

export const RequestUpdate = Type.Object({
  update_id: Type.String({ description: 'The timeline row (transition) id' }),
  service_request_id: Type.String(),
  status: StringEnum(EXTENDED_STATUSES),
  updated_datetime: Type.String(),
  description: Nullable(Type.String()),
  media_url: Nullable(Type.String()),
  external_status_code: Type.String({ description: 'The Ping’an action (accept, dispatch, verify_pass, …)' }),
});
export type RequestUpdateT = Static<typeof RequestUpdate>;

export const PostedUpdate = Type.Object({ update_id: Type.String() });

export const Open311Error = Type.Object({ code: Type.Integer(), description: Type.String() });
export const Errors = Type.Array(Open311Error, { description: 'Open311 errors: 400, 403, 404 (XML: errors/error)' });
