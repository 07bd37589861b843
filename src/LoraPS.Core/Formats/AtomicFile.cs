namespace LoraPS.Formats;

/// <summary>
/// Writes a file so that it is either complete or absent: the content goes to a temporary file in
/// the same folder, is flushed to disk, then renamed over the target. Nothing a user owns is
/// overwritten unless <c>overwrite</c> is set.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; throws IOException if it exists and <paramref name="overwrite"/> is false.</summary>
    public static void Write(string path, Action<Stream> write, bool overwrite = false)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        if (!overwrite && File.Exists(full))
            throw new IOException($"{full} already exists; use -Force (or --force) to overwrite it");
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool overwrite = false)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy), overwrite);
    }

    public static void WriteAllText(string path, string text, bool overwrite = false) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        }, overwrite);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
