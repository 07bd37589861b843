namespace LoraPS.Formats.Images.Exif;

/// <summary>The few EXIF fields LoraPS uses. Missing or malformed fields read as their defaults.</summary>
public sealed record ExifData
{
    public static ExifData Empty { get; } = new();

    /// <summary>TIFF orientation 1–8 (1 = the stored pixels are upright).</summary>
    public int Orientation { get; init; } = 1;

    /// <summary>When the picture was taken (tag 0x9003), as written by the camera (no time zone).</summary>
    public DateTime? DateTimeOriginal { get; init; }

    /// <summary>When the file was last changed by the camera or editor (tag 0x0132).</summary>
    public DateTime? DateTime { get; init; }

    /// <summary>When the picture was taken as best EXIF knows: DateTimeOriginal, else DateTime.</summary>
    public DateTime? DateTaken => DateTimeOriginal ?? DateTime;
}
