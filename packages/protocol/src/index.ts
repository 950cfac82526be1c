export { Durables } from './durables.js'
export { SCHEDULE_SPEC_FIELDS, type ScheduleSpecField } from './schedule-fields.js'
export {
  botOfHeartbeatSubject,
  CONTROL_STREAM,
  heartbeatsPerBot,
  SCRIPT_REQUESTS_PER_BOT,
  type StreamSpec,
  Streams,
  subjects,
} from './streams.js'
export { TaskDefaults } from './task-defaults.js'
