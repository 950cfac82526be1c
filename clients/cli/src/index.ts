export { argumentsFromJson, suppliedArguments, UsageError } from './arguments.js'
export {
  ConfigError,
  type ConfigFile,
  type Connection,
  type ConnectionFlags,
  configPath,
  DEFAULT_URL,
  exposedTokenWarning,
  type Profile,
  parseConfigFile,
  readConfigFile,
  resolveConnection,
} from './config.js'
export { Exit, exitCodeOf, parseDuration } from './outcome.js'
export { cell, FORMATS, type Format, isFormat, render, table } from './output.js'
export { buildProgram, type Io, main } from './program.js'
