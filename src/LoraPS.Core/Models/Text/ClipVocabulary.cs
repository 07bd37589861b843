using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace LoraPS.Models.Text;

/// <summary>
/// The CLIP BPE vocabulary: token string → id, and the merge ranks. Built either from OpenAI's
/// <c>bpe_simple_vocab_16e6.txt.gz</c> (ids derived from the merge order) or from a Hugging Face
/// <c>vocab.json</c> + <c>merges.txt</c> pair; both give the same 49,408 ids for the CLIP models.
/// </summary>
public sealed class ClipVocabulary
{
    public const string StartOfTextToken = "<|startoftext|>";
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>Marks the last symbol of a word (CLIP's end-of-word suffix).</summary>
    public const string EndOfWord = "</w>";

    /// <summary>Number of merges the CLIP vocabulary uses from the OpenAI merge file (49,152 − 256 − 2).</summary>
    public const int OpenAiMergeCount = 49152 - 256 - 2;

    private readonly Dictionary<string, int> ids;
    private readonly string[] tokens;
    private readonly Dictionary<(string Left, string Right), int> mergeRanks;

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49406 in CLIP).</summary>
    public int StartOfTextId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49407 in CLIP).</summary>
    public int EndOfTextId { get; }

    /// <summary>Number of ids (49,408 in CLIP).</summary>
    public int Count => tokens.Length;

    /// <summary>Number of merge rules.</summary>
    public int MergeCount => mergeRanks.Count;

    /// <summary>Where the vocabulary came from, for messages.</summary>
    public string Source { get; }

    private ClipVocabulary(Dictionary<string, int> ids, Dictionary<(string, string), int> mergeRanks, string source)
    {
        this.ids = ids;
        this.mergeRanks = mergeRanks;
        Source = source;
        int max = ids.Values.DefaultIfEmpty(-1).Max();
        tokens = new string[max + 1];
        foreach (var (token, id) in ids) tokens[id] = token;
        if (!ids.TryGetValue(StartOfTextToken, out int bos) || !ids.TryGetValue(EndOfTextToken, out int eos))
            throw new TokenizerFileException(source, $"the vocabulary has no {StartOfTextToken} or {EndOfTextToken} token");
        StartOfTextId = bos;
        EndOfTextId = eos;
    }

    /// <summary>Id of a token string, or null.</summary>
    public int? IdOf(string token) => ids.TryGetValue(token, out int id) ? id : null;

    /// <summary>Token string of an id.</summary>
    public string TokenOf(int id) =>
        id >= 0 && id < tokens.Length && tokens[id] is { } t ? t : throw new ArgumentOutOfRangeException(nameof(id), id, $"no token with id {id} in {Source}");

    /// <summary>Rank of merging <paramref name="left"/> with <paramref name="right"/> (lower merges first), or null.</summary>
    public int? MergeRank(string left, string right) => mergeRanks.TryGetValue((left, right), out int r) ? r : null;

    internal bool TryGetMergeRank(string left, string right, out int rank) => mergeRanks.TryGetValue((left, right), out rank);

    internal bool TryGetId(string token, out int id) => ids.TryGetValue(token, out id);

    /// <summary>
    /// Reads OpenAI's <c>bpe_simple_vocab_16e6.txt.gz</c>: line 0 is a header, the next 48,894 lines
    /// are merges; ids are the 256 byte characters, the same with <c>&lt;/w&gt;</c>, the merged pairs
    /// in file order, then the two special tokens.
    /// </summary>
    public static ClipVocabulary FromOpenAiBpeFile(string path)
    {
        using var file = OpenForReading(path);
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            return FromOpenAiBpeStream(gzip, path);
        }
        catch (InvalidDataException e)
        {
            throw new TokenizerFileException(path, "not a valid gzip file: " + e.Message, e);
        }
    }

    /// <summary>As <see cref="FromOpenAiBpeFile"/>, from an already decompressed stream.</summary>
    public static ClipVocabulary FromOpenAiBpeStream(Stream decompressed, string sourceName)
    {
        using var reader = new StreamReader(decompressed, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 1 << 16, leaveOpen: true);
        if (reader.ReadLine() is null)
            throw new TokenizerFileException(sourceName, "the file is empty");
        var merges = new List<(string, string)>(OpenAiMergeCount);
        for (int line = 2; merges.Count < OpenAiMergeCount; line++)
        {
            string? text = ReadLine(reader, sourceName);
            if (text is null)
                throw new TokenizerFileException(sourceName, $"ends after {merges.Count} merges; the CLIP vocabulary needs {OpenAiMergeCount}");
            merges.Add(ParseMerge(text, sourceName, line));
        }

        var ids = new Dictionary<string, int>(49408, StringComparer.Ordinal);
        foreach (char c in ByteToUnicode.VocabularyOrder) ids.Add(c.ToString(), ids.Count);
        foreach (char c in ByteToUnicode.VocabularyOrder) ids.Add(c + EndOfWord, ids.Count);
        var ranks = new Dictionary<(string, string), int>(merges.Count);
        for (int i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            if (!ranks.TryAdd((left, right), i))
                throw new TokenizerFileException(sourceName, $"line {i + 2}: merge \"{left} {right}\" appears twice");
            // A merged token can in principle repeat; keep the first id as the reference does by dict assignment order.
            ids.TryAdd(left + right, ids.Count);
        }
        ids.TryAdd(StartOfTextToken, ids.Count);
        ids.TryAdd(EndOfTextToken, ids.Count);
        return new ClipVocabulary(ids, ranks, sourceName);
    }

    /// <summary>Reads a Hugging Face tokenizer's <c>vocab.json</c> (token → id) and <c>merges.txt</c>.</summary>
    public static ClipVocabulary FromVocabAndMerges(string vocabJsonPath, string mergesPath)
    {
        var ids = new Dictionary<string, int>(49408, StringComparer.Ordinal);
        using (var file = OpenForReading(vocabJsonPath))
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(file, new JsonDocumentOptions { MaxDepth = 4 }); }
            catch (JsonException e) { throw new TokenizerFileException(vocabJsonPath, $"not valid JSON (line {e.LineNumber + 1}): {e.Message}", e); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new TokenizerFileException(vocabJsonPath, "expected a JSON object mapping token strings to ids");
                var seen = new HashSet<int>();
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int id) || id < 0 || id > 10_000_000)
                        throw new TokenizerFileException(vocabJsonPath, $"token \"{property.Name}\" has id {property.Value}, expected a non-negative integer");
                    if (!seen.Add(id))
                        throw new TokenizerFileException(vocabJsonPath, $"id {id} is used by more than one token (again by \"{property.Name}\")");
                    if (!ids.TryAdd(property.Name, id))
                        throw new TokenizerFileException(vocabJsonPath, $"token \"{property.Name}\" appears twice");
                }
            }
        }
        if (ids.Count == 0) throw new TokenizerFileException(vocabJsonPath, "the vocabulary is empty");

        var ranks = new Dictionary<(string, string), int>(ids.Count);
        using (var file = OpenForReading(mergesPath))
        using (var reader = new StreamReader(file, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            int line = 0;
            for (string? text; (text = ReadLine(reader, mergesPath)) != null;)
            {
                line++;
                if (text.Length == 0 || (line == 1 && text.StartsWith("#version", StringComparison.Ordinal))) continue;
                var (left, right) = ParseMerge(text, mergesPath, line);
                if (!ranks.TryAdd((left, right), ranks.Count))
                    throw new TokenizerFileException(mergesPath, $"line {line}: merge \"{text}\" appears twice");
                // Hugging Face's CLIP tokenizer, like OpenAI's, uses only the first 48,894 merges.
                if (ranks.Count == OpenAiMergeCount) break;
            }
        }
        return new ClipVocabulary(ids, ranks, vocabJsonPath);
    }

    private static (string, string) ParseMerge(string text, string source, int line)
    {
        int space = text.IndexOf(' ');
        if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
            throw new TokenizerFileException(source, $"line {line}: expected a merge \"left right\" (two symbols and one space), found \"{Shorten(text)}\"");
        return (text[..space], text[(space + 1)..]);
    }

    private static string? ReadLine(StreamReader reader, string source)
    {
        try { return reader.ReadLine(); }
        catch (DecoderFallbackException e) { throw new TokenizerFileException(source, "not valid UTF-8 text", e); }
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";

    private static FileStream OpenForReading(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (FileNotFoundException e) { throw new TokenizerFileException(path, "the file does not exist", e); }
        catch (DirectoryNotFoundException e) { throw new TokenizerFileException(path, "the folder does not exist", e); }
    }
}
