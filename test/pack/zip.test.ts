import { symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { digestsOf, openPack, readPack, writeZip } from "../../src/pack/index.js";
import { freshDir, removeTempDirs } from "../support/cli.js";
import { type RawEntry, rawZip, writeFiles } from "../support/packs.js";

afterAll(removeTempDirs);

const MANIFEST = "id: test.zip\nversion: 1.0.0\nflows: [flows/a.yaml]\n";
const FLOW = "id: a\nnodes: {}\n";

/** A manifest whose files list matches `files` exactly. */
function manifestFor(files: Record<string, string | Uint8Array>): string {
  const map = new Map(
    Object.entries(files).map(([name, data]) => [name, typeof data === "string" ? new TextEncoder().encode(data) : data]),
  );
  const lines = Object.entries(digestsOf(map)).map(([name, digest]) => `  ${name}: ${digest}`);
  return `${MANIFEST}files:\n${lines.join("\n")}\n`;
}

function zipFile(entries: RawEntry[]): string {
  const path = join(freshDir("duro-zip-"), "attack.duropack");
  writeFileSync(path, rawZip(entries));
  return path;
}

const base = (): RawEntry[] => [
  { name: "pack.yaml", data: manifestFor({ "flows/a.yaml": FLOW }) },
  { name: "flows/a.yaml", data: FLOW },
];

describe("zip packs", () => {
  it("open when well formed (the attacks below differ from this one by the attack only)", async () => {
    const pack = await openPack(zipFile(base()), { signing: "dev" });
    expect(pack.flows).toEqual([{ id: "a", path: "flows/a.yaml", text: FLOW }]);
  });

  it("refuse an entry that climbs out with ../ (pack_path_traversal)", async () => {
    await expect(readPack(zipFile([...base(), { name: "flows/../../evil.js", data: "x" }]))).rejects.toMatchObject({
      code: "pack_path_traversal",
      details: { entry: "flows/../../evil.js" },
    });
  });

  it("refuse an entry with an absolute path (pack_absolute_path), also in Windows form", async () => {
    await expect(readPack(zipFile([...base(), { name: "/etc/cron.d/evil", data: "x" }]))).rejects.toMatchObject({
      code: "pack_absolute_path",
    });
    await expect(readPack(zipFile([...base(), { name: "C:\\evil.js", data: "x" }]))).rejects.toMatchObject({ code: "pack_absolute_path" });
  });

  it("refuse a symbolic link entry (pack_symlink)", async () => {
    await expect(readPack(zipFile([...base(), { name: "link", data: "/etc/passwd", mode: 0o120777 }]))).rejects.toMatchObject({
      code: "pack_symlink",
    });
  });

  it("refuse a symbolic link in a directory pack (pack_symlink)", async () => {
    const dir = writeFiles({ "pack.yaml": manifestFor({ "flows/a.yaml": FLOW }), "flows/a.yaml": FLOW });
    symlinkSync("/etc/passwd", join(dir, "flows", "passwd"));
    await expect(readPack(dir)).rejects.toMatchObject({ code: "pack_symlink" });
  });

  it("refuse the same entry twice, exactly or differing in case only (pack_duplicate_entry)", async () => {
    await expect(readPack(zipFile([...base(), { name: "flows/a.yaml", data: "id: evil\n" }]))).rejects.toMatchObject({
      code: "pack_duplicate_entry",
    });
    await expect(readPack(zipFile([...base(), { name: "FLOWS/A.yaml", data: "id: evil\n" }]))).rejects.toMatchObject({
      code: "pack_duplicate_entry",
    });
  });

  it("refuse an entry that inflates more than 100 times its compressed size (pack_compression_ratio)", async () => {
    const bomb = new Uint8Array(8 * 1024 * 1024); // 8 MiB of zeros deflates to about 8 KiB
    await expect(readPack(zipFile([...base(), { name: "bomb.bin", data: bomb }]))).rejects.toMatchObject({
      code: "pack_compression_ratio",
    });
  });

  it("refuse a pack whose entries add up to more than the size limit (pack_too_large)", async () => {
    const big = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    await expect(
      readPack(zipFile([...base(), { name: "big.bin", data: big, compress: false }]), { maxTotalBytes: 4000 }),
    ).rejects.toMatchObject({
      code: "pack_too_large",
    });
  });

  it("refuse a .duropack file over 2 GiB (pack_too_large) by its size, before reading it", async () => {
    // A sparse file: 3 GiB long, no data on disk. Reading it whole would fail with ERR_FS_FILE_TOO_LARGE.
    const path = join(freshDir("duro-zip-"), "huge.duropack");
    writeFileSync(path, rawZip(base()));
    truncateSync(path, 3 * 1024 ** 3);
    await expect(readPack(path)).rejects.toMatchObject({ code: "pack_too_large", details: { size: 3 * 1024 ** 3 } });
  });

  it("refuse an entry whose size header lies, while inflating it", async () => {
    const bytes = rawZip([...base(), { name: "liar.bin", data: new Uint8Array(64 * 1024).fill(65) }]);
    // Rewrite liar.bin's uncompressed size in its central directory record to 10 bytes.
    const view = Buffer.from(bytes);
    const central = view.lastIndexOf(Buffer.from("liar.bin")) - 46;
    expect(view.readUInt32LE(central)).toBe(0x02014b50);
    view.writeUInt32LE(10, central + 24);
    const path = join(freshDir("duro-zip-"), "liar.duropack");
    writeFileSync(path, view);
    await expect(readPack(path)).rejects.toMatchObject({ code: "pack_zip_malformed" });
  });

  it("refuse more files than the limit (pack_too_many_files)", async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, data: "x" }));
    await expect(readPack(zipFile([...base(), ...many]), { maxFiles: 4 })).rejects.toMatchObject({ code: "pack_too_many_files" });
  });

  it("refuse a file that is present but not in the manifest's digest list (pack_file_unlisted)", async () => {
    await expect(readPack(zipFile([...base(), { name: "extra.js", data: "export default 1" }]))).rejects.toMatchObject({
      code: "pack_file_unlisted",
      details: { file: "extra.js" },
    });
  });

  it("refuse a digest-listed file that is absent (pack_file_missing)", async () => {
    const manifest = manifestFor({ "flows/a.yaml": FLOW, "components/gone.js": "export default 1" });
    await expect(
      readPack(
        zipFile([
          { name: "pack.yaml", data: manifest },
          { name: "flows/a.yaml", data: FLOW },
        ]),
      ),
    ).rejects.toMatchObject({ code: "pack_file_missing", details: { file: "components/gone.js" } });
  });

  it("refuse bytes that are not a zip archive (pack_zip_malformed)", async () => {
    const path = join(freshDir("duro-zip-"), "junk.duropack");
    writeFileSync(path, "this is not a zip");
    await expect(readPack(path)).rejects.toMatchObject({ code: "pack_zip_malformed" });
  });

  it("are written deterministically: the same files give the same bytes", () => {
    const files = new Map([
      ["b.txt", new TextEncoder().encode("b")],
      ["a/c.txt", new TextEncoder().encode("c")],
    ]);
    expect(Buffer.from(writeZip(files)).equals(Buffer.from(writeZip(new Map([...files].reverse()))))).toBe(true);
  });
});
