/**
 * The jobs a crawler can take: a protocol job type, a GitLab host, queued. The dispatch
 * query says it word for word as the jobs_dispatchable partial index does (migration 008
 * keeps its own frozen copy), so SQLite can read that index; were they to drift apart,
 * the query's INDEXED BY would fail loudly when the store opens.
 */
export const DISPATCHABLE_WHERE = `status = 'queued' AND job_type IN ('discover_namespaces', 'crawl_user', 'crawl_group', 'crawl_project') AND gitlab_host <> ''`;
