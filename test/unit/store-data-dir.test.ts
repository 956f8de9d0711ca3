import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../src/main/store';

describe('resolveDataDir', () => {
  it('prefers --data-dir over the environment and the platform folder', () => {
    expect(resolveDataDir({ cliDataDir: '/srv/cc', env: { CRAWL_CONSOLE_DATA_DIR: '/env/cc' }, platform: 'linux', home: '/home/u' })).toBe(
      '/srv/cc',
    );
  });

  it('resolves a relative --data-dir against the working directory', () => {
    expect(resolveDataDir({ cliDataDir: 'data', env: {}, platform: 'linux', home: '/home/u' })).toBe(path.resolve('data'));
  });

  it('uses CRAWL_CONSOLE_DATA_DIR when there is no --data-dir (an empty one is ignored)', () => {
    expect(resolveDataDir({ env: { CRAWL_CONSOLE_DATA_DIR: '/env/cc' }, platform: 'darwin', home: '/Users/u' })).toBe('/env/cc');
    expect(resolveDataDir({ cliDataDir: '', env: { CRAWL_CONSOLE_DATA_DIR: '' }, platform: 'linux', home: '/home/u' })).toBe(
      '/home/u/.local/share/crawl-console',
    );
  });

  it('Linux: $XDG_DATA_HOME/crawl-console, else ~/.local/share/crawl-console; a relative XDG_DATA_HOME is ignored', () => {
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', home: '/home/u' })).toBe('/xdg/crawl-console');
    expect(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/.local/share/crawl-console');
    expect(resolveDataDir({ env: { XDG_DATA_HOME: 'rel' }, platform: 'linux', home: '/home/u' })).toBe(
      '/home/u/.local/share/crawl-console',
    );
  });

  it('macOS: ~/Library/Application Support/Crawl Console', () => {
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe('/Users/u/Library/Application Support/Crawl Console');
  });

  it('Windows: %APPDATA%\\Crawl Console, else the roaming folder under the home directory', () => {
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Crawl Console',
    );
    expect(resolveDataDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Crawl Console');
  });
});
