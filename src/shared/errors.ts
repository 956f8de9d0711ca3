import { z } from 'zod';

/** The seed's error categories and severities (`ErrorCategory.DATABASE` …), shared by core and UI. */
export const ErrorCategory = {
  CONNECTION: 'connection',
  MESSAGE_PARSING: 'message_parsing',
  MESSAGE_VALIDATION: 'message_validation',
  DATABASE: 'database',
  JOB_PROCESSING: 'job_processing',
  AUTHENTICATION: 'authentication',
  RATE_LIMITING: 'rate_limiting',
  NETWORK: 'network',
  TIMEOUT: 'timeout',
  RESOURCE: 'resource',
  CONFIGURATION: 'configuration',
  INTERNAL: 'internal',
} as const;
export const ErrorCategorySchema = z.enum(ErrorCategory);
export type ErrorCategory = z.infer<typeof ErrorCategorySchema>;

export const ErrorSeverity = {
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
} as const;
export const ErrorSeveritySchema = z.enum(ErrorSeverity);
export type ErrorSeverity = z.infer<typeof ErrorSeveritySchema>;
