// API reference › Error Handling › Error Handler Implementation
import { ErrorHandler, SocketError, ErrorHandlingResult } from '$lib/server/socket/types/errors';
// Seed omission: ErrorCategory and DatabaseError, which the example uses.
import { DatabaseError, ErrorCategory } from '$lib/server/socket/types/errors';

// `export` added so the test can register it.
export class DatabaseErrorHandler implements ErrorHandler {
  canHandle(error: SocketError): boolean {
    return error.category === ErrorCategory.DATABASE;
  }

  async handle(error: SocketError): Promise<ErrorHandlingResult> {
    const dbError = error as DatabaseError;
    
    // Check if it's a connection issue
    if (dbError.message.includes('connection')) {
      return {
        handled: true,
        shouldRetry: true,
        retryAfter: 5000,
        shouldNotify: true,
        shouldTerminate: false,
        resolution: 'Will retry database operation after 5 seconds'
      };
    }

    // For other database errors
    return {
      handled: true,
      shouldRetry: false,
      shouldNotify: true,
      shouldTerminate: false,
      resolution: 'Database operation failed, manual intervention required'
    };
  }

  getPriority(): number {
    return 80; // High priority for database errors
  }
}
