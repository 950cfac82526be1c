export * from './job-change-feed.js'
export * from './notify-job-changes.js'
