namespace LoraPS.Workflows.Rename;

/// <summary>
/// Orders names as Windows Explorer does: runs of digits compare as numbers ("img2" before "img10"),
/// the rest ignoring case; ties fall back to ordinal order so the result is total and stable.
/// </summary>
public sealed class NaturalStringComparer : IComparer<string>
{
    public static NaturalStringComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (si < x.Length && x[si] == '0') si++;
                while (sj < y.Length && y[sj] == '0') sj++;
                int ei = si, ej = sj;
                while (ei < x.Length && char.IsAsciiDigit(x[ei])) ei++;
                while (ej < y.Length && char.IsAsciiDigit(y[ej])) ej++;
                // Longer significant digit runs are bigger numbers; equal lengths compare digit by digit.
                int byLength = (ei - si).CompareTo(ej - sj);
                if (byLength != 0) return byLength;
                int byDigits = string.CompareOrdinal(x, si, y, sj, ei - si);
                if (byDigits != 0) return byDigits;
                i = ei;
                j = ej;
                continue;
            }
            int c = char.ToUpperInvariant(x[i]).CompareTo(char.ToUpperInvariant(y[j]));
            if (c != 0) return c;
            i++;
            j++;
        }
        int rest = (x.Length - i).CompareTo(y.Length - j);
        return rest != 0 ? rest : string.CompareOrdinal(x, y);
    }
}
