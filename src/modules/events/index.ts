/** Module `events`: the closed loop of a case — categories, intake, lifecycle, deadlines, notifications, queries. */
export { eventsRoutes } from './events.routes.js';
export { exportsRoutes } from './exports.routes.js';
export { streamRoutes } from './stream.routes.js';
export { seedCategories, listCategories, getCategory } from './categories.service.js';
export { reportEvent, type IntakeInput } from './intake.service.js';
export { act, type ActionInput } from './transitions.service.js';
export { listCases, timelineBetween } from './queries.service.js';
export { timelineView } from './events.view.js';
export { attachReportPhoto } from './photos.service.js';
export { sweepDeadlines, type SweepResult } from './sweep.service.js';
export { seedDemoHistory, type DemoHistory, type HistoryGrid, type HistoryHandler } from './history.js';
export type { EventsContext } from './events.context.js';
export { webhooksRoutes } from './webhooks.routes.js';
export { dispatchNotifications } from './notify.dispatcher.js';
export { startScheduler } from './scheduler.js';
