// API reference › Code Examples › Custom Message Handler
import { MessageHandler, MessageProcessingResult } from '$lib/server/socket/message-router';
import { CrawlerMessage, SocketConnection } from '$lib/server/socket/types';
// Seed omission: the types the example uses.
import { JobProgressMessage } from '$lib/server/socket/types';
import { DatabaseManager } from '$lib/server/database';

// `export` added: the Complete Server Setup registers this handler.
export class CustomProgressHandler implements MessageHandler {
  constructor(private dbManager: DatabaseManager) {}

  canHandle(message: CrawlerMessage): boolean {
    return message.type === 'job_progress' && message.job_id !== undefined;
  }

  async handle(message: CrawlerMessage, connection: SocketConnection): Promise<MessageProcessingResult> {
    try {
      const progressMessage = message as JobProgressMessage;
      
      // Update database with progress
      await this.dbManager.updateJobProgress(
        progressMessage.job_id!,
        progressMessage.data
      );

      // Emit real-time update to web clients
      await this.emitProgressUpdate(progressMessage);

      // Check for milestones
      if (progressMessage.data.overall_completion >= 0.5) {
        await this.handleMilestone(progressMessage.job_id!, '50% completion');
      }

      return {
        success: true,
        data: { progress_updated: true }
      };
    } catch (error) {
      console.error('Progress update failed:', error);
      return {
        success: false,
        error: error instanceof Error ? error.message : 'Progress update failed',
        shouldRetry: true,
        retryAfter: 5000
      };
    }
  }

  getPriority(): number {
    return 90; // High priority for progress updates
  }

  private async emitProgressUpdate(message: JobProgressMessage): Promise<void> {
    // Emit to WebSocket clients or SSE connections
    // Implementation depends on your real-time update system
  }

  private async handleMilestone(jobId: string, milestone: string): Promise<void> {
    console.log(`Job ${jobId} reached milestone: ${milestone}`);
    // Could trigger notifications, logging, etc.
  }
}
