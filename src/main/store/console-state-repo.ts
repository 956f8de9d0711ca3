/** Console-wide switches that must survive a restart, as small JSON values under a key. */
import type Database from 'better-sqlite3';

export class ConsoleStateRepo {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare('SELECT value FROM console_state WHERE key = ?');
    this.setStmt = db.prepare(
      'INSERT INTO console_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.deleteStmt = db.prepare('DELETE FROM console_state WHERE key = ?');
  }

  get<T>(key: string): T | null {
    const row = this.getStmt.get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value), this.now());
  }

  delete(key: string): void {
    this.deleteStmt.run(key);
  }
}
