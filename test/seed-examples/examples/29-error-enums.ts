// API reference › Error Handling › Error Categories and Severities
// The seed declares the enums; `export` added so the test compares them with the exported ones.
export enum ErrorCategory {
  CONNECTION = 'connection',
  MESSAGE_PARSING = 'message_parsing',
  MESSAGE_VALIDATION = 'message_validation',
  DATABASE = 'database',
  JOB_PROCESSING = 'job_processing',
  AUTHENTICATION = 'authentication',
  RATE_LIMITING = 'rate_limiting',
  NETWORK = 'network',
  TIMEOUT = 'timeout',
  RESOURCE = 'resource',
  CONFIGURATION = 'configuration',
  INTERNAL = 'internal',
}

export enum ErrorSeverity {
  LOW = 'low',
  MEDIUM = 'medium',
  HIGH = 'high',
  CRITICAL = 'critical',
}
