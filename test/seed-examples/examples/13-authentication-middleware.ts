// API reference › MessageRouter › addMiddleware()
import { MessageMiddleware } from '$lib/server/socket/message-router';
// Seed omission: the types the example uses, and the router of the constructor example.
import { CrawlerMessage, SocketConnection } from '$lib/server/socket/types';
import { router } from './11-router';

// `export` added: the Complete Server Setup uses this middleware.
export class AuthenticationMiddleware implements MessageMiddleware {
  name = 'authentication';
  priority = 1000; // High priority - runs first

  async beforeProcess(message: CrawlerMessage, connection: SocketConnection): Promise<CrawlerMessage | null> {
    // Validate authentication
    if (!this.isAuthenticated(connection)) {
      throw new Error('Connection not authenticated');
    }
    return message; // Pass through unchanged
  }

  private isAuthenticated(connection: SocketConnection): boolean {
    return connection.metadata.crawlerId !== undefined;
  }
}

router.addMiddleware(new AuthenticationMiddleware());
