// `.duropack` archives: reading with every safety check made before or while inflating (path
// traversal, absolute paths, symlinks, duplicates, entry count, total size, compression ratio), and
// writing byte-for-byte deterministic archives (sorted names, fixed times and modes).
import { zipSync } from "fflate";
import yauzl from "yauzl";
import { packError } from "./errors.js";
import { checkEntryPath, duplicateGuard } from "./paths.js";

/** How much a pack may unpack to; a zip over a limit is refused before its data is inflated. */
export interface ZipLimits {
  /** default 10_000 */
  maxFiles?: number;
  /** Sum of all entries' uncompressed sizes. default 256 MiB */
  maxTotalBytes?: number;
  /** Uncompressed size / compressed size of one entry. default 100 */
  maxRatio?: number;
  /** Entries smaller than this are not ratio-checked (tiny files compress well honestly). default 1 MiB */
  ratioMinBytes?: number;
}

export const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = {
  maxFiles: 10_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 100,
  ratioMinBytes: 1024 * 1024,
};

/** What a zip may add to its contents (headers, names, the central directory) within the default limits. */
export const ARCHIVE_OVERHEAD = 16 * 1024 * 1024;

/** The largest .duropack file accepted: the contents' limit plus headers; a larger file is refused before it is read. */
export function archiveLimit(limits: ZipLimits = {}): number {
  return (limits.maxTotalBytes ?? DEFAULT_ZIP_LIMITS.maxTotalBytes) + ARCHIVE_OVERHEAD;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The files of a zip archive by normalized name; refuses unsafe archives with a `pack_*` code. */
export async function readZip(bytes: Uint8Array, limits: ZipLimits = {}): Promise<Map<string, Uint8Array>> {
  const max = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (error, zipfile) =>
      error ? reject(malformed(error)) : resolve(zipfile),
    ),
  );
  const files = new Map<string, Uint8Array>();
  const noDuplicate = duplicateGuard();
  let totalBytes = 0;
  let count = 0;
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        throw packError("pack_symlink", `pack entry "${raw}" is a symbolic link; packs may hold only regular files`, { entry: raw });
      }
      const name = checkEntryPath(raw);
      if (raw.endsWith("/")) continue;
      noDuplicate(name);
      count += 1;
      if (count > max.maxFiles) {
        throw packError("pack_too_many_files", `pack holds more than ${max.maxFiles} files; split it or raise the limit`, {
          limit: max.maxFiles,
        });
      }
      totalBytes += entry.uncompressedSize;
      checkTotal(totalBytes, max.maxTotalBytes);
      checkRatio(name, entry.uncompressedSize, entry.compressedSize, max);
      if (entry.isEncrypted()) throw packError("pack_zip_malformed", `pack entry "${name}" is encrypted; packs cannot be encrypted`);
      files.set(name, await readEntry(zip, entry, name, max.maxTotalBytes - (totalBytes - entry.uncompressedSize)));
    }
  } finally {
    zip.close();
  }
  return files;
}

function checkTotal(totalBytes: number, limit: number): void {
  if (totalBytes > limit) {
    throw packError("pack_too_large", `pack unpacks to more than ${limit} bytes; a pack this large is refused as a possible zip bomb`, {
      limit,
    });
  }
}

function checkRatio(name: string, uncompressed: number, compressed: number, max: Required<ZipLimits>): void {
  if (uncompressed < max.ratioMinBytes) return;
  const ratio = uncompressed / Math.max(compressed, 1);
  if (ratio > max.maxRatio) {
    throw packError(
      "pack_compression_ratio",
      `pack entry "${name}" inflates ${Math.round(ratio)}x (${compressed} → ${uncompressed} bytes), over the limit of ${max.maxRatio}x; refused as a possible zip bomb`,
      { entry: name, ratio, limit: max.maxRatio },
    );
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
    };
    const onEntry = (entry: yauzl.Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(malformed(error));
    };
    zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
    zip.readEntry();
  });
}

// Counts inflated bytes as they arrive, so a lying size header cannot make us inflate past the budget.
function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, budget: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(malformed(error));
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > budget) {
          stream.destroy();
          reject(packError("pack_too_large", `pack entry "${name}" inflates past the pack's size limit; refused as a possible zip bomb`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on("error", (streamError) => reject(malformed(streamError)));
      stream.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    });
  });
}

function malformed(error: Error) {
  return packError("pack_zip_malformed", `the pack is not a readable zip archive: ${error.message}`);
}

// DOS times are local: built from local fields, the same bytes come out in every time zone.
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);
const REGULAR_FILE_ATTRS = (0o100644 << 16) >>> 0;

/** A deterministic zip of `files`: the same files always give the same bytes. */
export function writeZip(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 6; attrs: number; os: number }]> = {};
  for (const name of [...files.keys()].sort()) {
    entries[name] = [files.get(name) as Uint8Array, { mtime: FIXED_TIME, level: 6, attrs: REGULAR_FILE_ATTRS, os: 3 }];
  }
  return zipSync(entries);
}
