/**
 * Writing crawler → console messages in either spelling: the inverse of
 * `decodeCrawlerMessage`, for crawler clients, the simulator and tests.
 */
import type { ResumeState, Spelling } from './common';
import type { CrawlerMessageOf, CrawlerMessageType } from './crawler-messages';

/** A crawler message to send: the internal model, with timestamp optional. */
export type OutgoingCrawlerMessage = {
  [T in CrawlerMessageType]: Omit<CrawlerMessageOf<T>, 'spelling' | 'extras' | 'timestamp'> & {
    timestamp?: string;
    extras?: Record<string, unknown>;
  };
}[CrawlerMessageType];

const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const crawlerResume = (r: ResumeState | undefined): Record<string, unknown> | undefined => {
  if (!r) return undefined;
  const { last_entity_id, current_page, entity_type, ...rest } = r;
  return defined({ ...rest, lastEntityId: last_entity_id, currentPage: current_page, entityType: entity_type });
};

export function encodeCrawlerMessage(msg: OutgoingCrawlerMessage, spelling: Spelling, now: () => Date = () => new Date()): Record<string, unknown> {
  const timestamp = msg.timestamp ?? now().toISOString();
  const data = encodeData(msg, spelling, timestamp);
  const out: Record<string, unknown> = { type: msg.type, timestamp };
  if (msg.job_id !== undefined) out[spelling === 'crawler' ? 'jobId' : 'job_id'] = msg.job_id;
  out.data = { ...data, ...msg.extras };
  return out;
}

function encodeData(msg: OutgoingCrawlerMessage, spelling: Spelling, timestamp: string): Record<string, unknown> {
  const c = spelling === 'crawler';
  switch (msg.type) {
    case 'heartbeat': {
      const d = msg.data;
      return c
        ? defined({
            activeJobs: d.active_jobs,
            totalProcessed: d.total_processed ?? 0,
            systemStatus: d.system_status === 'crawling' ? 'processing' : d.system_status,
            memoryUsage: d.memory_usage,
            uptime: d.uptime,
          })
        : { active_jobs: d.active_jobs, last_activity: d.last_activity ?? timestamp, system_status: d.system_status };
    }
    case 'job_started': {
      const d = msg.data;
      return c
        ? defined({ entityType: d.entity_type ?? d.job_type, entityId: d.entity_id })
        : defined({ job_type: d.job_type, entity_id: d.entity_id, namespace_path: d.namespace_path });
    }
    case 'job_progress': {
      const d = msg.data;
      if (!c) {
        const completion =
          d.overall_completion ??
          (() => {
            const t = d.progress.reduce((s, p) => s + (p.total_discovered ?? 0), 0);
            const p = d.progress.reduce((s, e) => s + e.total_processed, 0);
            return t > 0 ? Math.min(1, p / t) : 0;
          })();
        return defined({
          progress: d.progress.map((p) => ({ ...p, total_discovered: p.total_discovered ?? p.total_processed })),
          overall_completion: completion,
          time_elapsed: d.time_elapsed ?? 0,
          estimated_time_remaining: d.estimated_time_remaining,
        });
      }
      // The crawler spelling carries one entity type per message.
      const e = d.progress[0];
      return defined({
        stage: d.stage ?? 'fetching',
        entityType: e?.entity_type ?? 'unknown',
        processed: e?.total_processed ?? 0,
        total: e?.total_discovered,
        message: d.message,
        resumeState: crawlerResume(d.resume_state),
        itemCounts: e?.item_counts,
        processingRate: e?.processing_rate,
        estimatedTimeRemaining: d.estimated_time_remaining ?? e?.estimated_time_remaining,
        currentPage: e?.current_page,
      });
    }
    case 'job_completed': {
      const d = msg.data;
      return c
        ? defined({ success: d.success, finalCounts: d.final_counts ?? {}, message: d.message, outputFiles: d.output_files })
        : defined({ success: d.success, final_counts: d.final_counts, output_files: d.output_files, summary: d.summary ?? d.message });
    }
    case 'job_failed': {
      const d = msg.data;
      return c
        ? defined({
            error: d.error,
            errorType: d.error_type,
            isRecoverable: d.is_recoverable,
            resumeState: crawlerResume(d.resume_state),
            partialCounts: d.partial_counts,
          })
        : defined({
            error: d.error,
            error_type: d.error_type,
            is_recoverable: d.is_recoverable,
            resume_state: d.resume_state,
            partial_counts: d.partial_counts,
          });
    }
    case 'jobs_discovered':
      return defined({ discovered_jobs: msg.data.discovered_jobs, discovery_summary: msg.data.discovery_summary });
    case 'token_refresh_request':
    case 'job_request':
    case 'hello':
      return { ...msg.data };
    case 'discovery':
      return {
        entityType: msg.data.entity_type,
        entities: msg.data.entities.map((e) => defined({ id: e.id, name: e.name, path: e.path, parentId: e.parent_id })),
      };
  }
}
