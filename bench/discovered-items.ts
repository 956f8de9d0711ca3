/**
 * Discovered jobs as the crawler sends them, for the benches: groups,
 * subgroups, projects and users, interleaved as a discovery lists them
 * (paths cycle through 997 groups), with names to search.
 */
const TYPES = ['crawl_project', 'crawl_project', 'crawl_project', 'crawl_group', 'crawl_user'] as const;

export function discoveredItems(start: number, n: number) {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const type = TYPES[i % TYPES.length]!;
    return {
      job_type: type,
      entity_id: String(100_000 + i),
      namespace_path: `group-${i % 997}/sub-${i % 31}/${type === 'crawl_user' ? 'user' : 'project'}-${i}`,
      entity_name: `${type === 'crawl_user' ? 'User' : 'Project'} ${i}`,
      priority: 1 + (i % 3),
      estimated_size: { issues: i % 500, merge_requests: i % 120 },
    };
  });
}
