// API reference › Error Handling › Error Factory Functions
import { 
  createConnectionError,
  createMessageError,
  createJobProcessingError 
} from '$lib/server/socket/types/errors';

// Create connection error
// `export` added (on all three) so the test can check them.
export const connError = createConnectionError(
  'Connection timeout',
  'conn-123',
  { timeout: 30000 }
);

// Create message validation error
export const msgError = createMessageError(
  'Invalid message format',
  'job_progress',
  ['Missing required field: job_id']
);

// Create job processing error
export const jobError = createJobProcessingError(
  'Job execution failed',
  'job-456',
  true, // isRecoverable
  { stage: 'data_processing', retryCount: 2 }
);
