// API reference › Code Examples › Error Handling Setup
import { ErrorManager, ErrorHandler } from '$lib/server/socket/types/errors';
// Seed omission: the types the example uses.
import { ErrorCategory, ErrorHandlingResult, ErrorSeverity, SocketError } from '$lib/server/socket/types/errors';

// Custom error handler
// `export` added so the test can check it.
export class NotificationErrorHandler implements ErrorHandler {
  // Added for the test: what was sent.
  readonly notified: SocketError[] = [];

  canHandle(error: SocketError): boolean {
    return error.severity === ErrorSeverity.CRITICAL;
  }

  async handle(error: SocketError): Promise<ErrorHandlingResult> {
    // Send notification to administrators
    await this.sendNotification(error);
    
    return {
      handled: true,
      shouldRetry: false,
      shouldNotify: true,
      shouldTerminate: error.category === ErrorCategory.CONFIGURATION,
      resolution: 'Critical error notification sent to administrators'
    };
  }

  getPriority(): number {
    return 100; // Highest priority
  }

  private async sendNotification(error: SocketError): Promise<void> {
    // Implementation for sending notifications (email, Slack, etc.)
    this.notified.push(error); // Added for the test.
  }
}

// Setup error management
// `export` added so the test can check it.
export const errorManager = new ErrorManager({
  logLevel: 'error',
  enableStackTraces: true,
  retryConfig: {
    maxRetries: 3,
    retryDelay: 5000,
    backoffMultiplier: 2,
    maxRetryDelay: 30000,
  }
});

// `export` added so the test can check it.
export const notificationHandler = new NotificationErrorHandler();
errorManager.registerHandler(notificationHandler);
