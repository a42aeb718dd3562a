// Downloaded price files (e.g. `stock-stream download` output) in one configured directory, listed
// and opened by bare name only: a name is checked against a strict pattern, resolved, and must stay
// inside the directory after symlinks, so no request can reach any other path.
import { constants } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Letters, digits, ".", "_", "-", not starting with a dot, ending in .csv; no separators, no "..". */
export const HISTORY_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,123}\.csv$/;
/** Files listed at most. */
export const MAX_LISTED_FILES = 200;

export interface HistoryFileInfo {
  readonly name: string;
  readonly bytes: number;
  /** Last modified, epoch ms. */
  readonly modified: number;
}

export class HistoryFileError extends Error {
  constructor(
    readonly code: 'ERR_BAD_FILE_NAME' | 'ERR_NO_SUCH_FILE' | 'ERR_FILE_TOO_LARGE',
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HistoryFileError';
  }
}

export class HistoryFiles {
  constructor(
    readonly dir: string,
    /** Larger files are refused: the work of one backtest is bounded. */
    readonly maxBytes: number,
  ) {}

  /** The CSV files directly in the directory (none when it does not exist), by name. */
  async list(): Promise<HistoryFileInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const files: HistoryFileInfo[] = [];
    for (const name of names.filter((n) => HISTORY_FILE_PATTERN.test(n)).sort()) {
      if (files.length >= MAX_LISTED_FILES) break;
      const path = await this.inside(name).catch(() => undefined);
      if (path === undefined) continue;
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) files.push({ name, bytes: info.size, modified: Math.round(info.mtimeMs) });
    }
    return files;
  }

  /** Opens one listed file for reading; throws HistoryFileError with a one-line reason. */
  async open(name: string): Promise<{ handle: FileHandle; bytes: number }> {
    if (!HISTORY_FILE_PATTERN.test(name))
      throw new HistoryFileError(
        'ERR_BAD_FILE_NAME',
        400,
        'file: must be a .csv file name in the history directory (letters, digits, "._-")',
      );
    const path = await this.inside(name);
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      throw new HistoryFileError('ERR_NO_SUCH_FILE', 404, `file: no ${name} in the history directory`);
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new HistoryFileError('ERR_NO_SUCH_FILE', 404, `file: no ${name} in the history directory`);
    }
    if (info.size > this.maxBytes) {
      await handle.close();
      throw new HistoryFileError('ERR_FILE_TOO_LARGE', 413, `file: ${name} is larger than ${Math.round(this.maxBytes / 1048576)} MiB`);
    }
    return { handle, bytes: info.size };
  }

  /** The real path of `name`, which must lie in the real directory (a symlink leading out is as good as absent). */
  private async inside(name: string): Promise<string> {
    const missing = () => new HistoryFileError('ERR_NO_SUCH_FILE', 404, `file: no ${name} in the history directory`);
    const root = await realpath(this.dir).catch(() => {
      throw missing();
    });
    const path = await realpath(join(root, name)).catch(() => {
      throw missing();
    });
    if (!path.startsWith(root + sep)) throw missing();
    return path;
  }
}
