namespace LoraPS.Formats.Toml;

/// <summary>
/// A TOML document breaks the TOML 1.0 rules. <see cref="Line"/> and <see cref="Column"/> are 1-based
/// and point at the character where reading went wrong; the message names file, line and column.
/// </summary>
public sealed class TomlException : InvalidFileException
{
    public int Line { get; }
    public int Column { get; }

    /// <summary>What is wrong, without file or position.</summary>
    public string Reason { get; }

    public TomlException(string? filePath, int line, int column, string reason)
        : base(filePath, $"line {line}, column {column}: {reason}")
    {
        Line = line;
        Column = column;
        Reason = reason;
    }
}
