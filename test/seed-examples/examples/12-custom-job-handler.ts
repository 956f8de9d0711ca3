// API reference › MessageRouter › registerHandler()
import { MessageHandler } from '$lib/server/socket/message-router';
// Seed omission: the types the example uses, and the router of the constructor example.
import { CrawlerMessage, MessageProcessingResult, SocketConnection } from '$lib/server/socket/types';
import { router } from './11-router';

class CustomJobHandler implements MessageHandler {
  canHandle(message: CrawlerMessage): boolean {
    return message.type === 'job_started' && message.job_id?.startsWith('custom-');
  }

  async handle(message: CrawlerMessage, connection: SocketConnection): Promise<MessageProcessingResult> {
    // Custom processing logic
    console.log('Custom job started:', message.job_id);
    
    return {
      success: true,
      data: { processed: true }
    };
  }

  getPriority(): number {
    return 95; // Higher priority than default handlers
  }
}

router.registerHandler('job_started', new CustomJobHandler());
