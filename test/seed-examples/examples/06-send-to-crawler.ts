// API reference › SocketServer › sendToCrawler()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

await server.sendToCrawler('crawler-123', {
  type: 'job_assignment',
  timestamp: new Date().toISOString(),
  data: {
    job_id: 'job-456',
    job_type: 'crawl_project',
    gitlab_host: 'gitlab.example.com',
    access_token: 'token-here',
    priority: 1,
  }
});
