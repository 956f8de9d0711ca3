/**
 * The Complete Server Setup registers a `DiscoveryHandler(dbManager)` the
 * reference never writes. This one accepts a `jobs_discovered` report and says
 * how many jobs it carried.
 */
import type { MessageHandler, MessageProcessingResult } from '$lib/server/socket/message-router';
import type { CrawlerMessage } from '$lib/server/socket/types';
import type { DatabaseManager } from '$lib/server/database';

export class DiscoveryHandler implements MessageHandler {
  constructor(private readonly dbManager: DatabaseManager) {}
  canHandle(message: CrawlerMessage): boolean {
    return message.type === 'jobs_discovered';
  }
  async handle(message: CrawlerMessage): Promise<MessageProcessingResult> {
    if (message.type !== 'jobs_discovered') return { success: false, error: 'not a jobs_discovered message' };
    console.log(`Discovered ${message.data.discovered_jobs.length} jobs in ${message.job_id}`);
    return { success: true, data: { discovered: message.data.discovered_jobs.length } };
  }
  getPriority(): number {
    return 90;
  }
}
