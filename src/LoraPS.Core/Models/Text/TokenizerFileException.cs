using LoraPS.Formats;

namespace LoraPS.Models.Text;

/// <summary>A tokenizer file (vocab.json, merges.txt, bpe_simple_vocab_16e6.txt.gz) is missing, malformed or inconsistent.</summary>
public sealed class TokenizerFileException : InvalidFileException
{
    public TokenizerFileException(string? filePath, string defect, Exception? inner = null) : base(filePath, defect, inner) { }
}
