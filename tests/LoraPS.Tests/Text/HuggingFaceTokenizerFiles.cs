using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LoraPS.Models.Text;

namespace LoraPS.Tests.Text;

/// <summary>Writes a Hugging Face style vocab.json + merges.txt pair made from the OpenAI merge file, as the hub holds them.</summary>
internal static class HuggingFaceTokenizerFiles
{
    public static (string Vocab, string Merges) Write(string folder, string openAiBpePath)
    {
        var vocabulary = ClipVocabulary.FromOpenAiBpeFile(openAiBpePath);
        Directory.CreateDirectory(folder);
        string vocabPath = Path.Combine(folder, ClipTokenizerFiles.VocabFileName);
        string mergesPath = Path.Combine(folder, ClipTokenizerFiles.MergesFileName);

        var map = new Dictionary<string, int>();
        for (int id = 0; id < vocabulary.Count; id++) map[vocabulary.TokenOf(id)] = id;
        File.WriteAllText(vocabPath, JsonSerializer.Serialize(map), new UTF8Encoding(false));

        using var gzip = new GZipStream(File.OpenRead(openAiBpePath), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        reader.ReadLine();
        using var writer = new StreamWriter(mergesPath, false, new UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine("#version: 0.2");
        for (int k = 0; k < ClipVocabulary.OpenAiMergeCount; k++) writer.WriteLine(reader.ReadLine());
        return (vocabPath, mergesPath);
    }
}
