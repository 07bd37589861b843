using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LoraPS.Models.Text;

/// <summary>
/// Parses AUTOMATIC1111's attention syntax (also what sd-scripts' <c>--weighted_captions</c> reads):
/// <c>(text)</c> multiplies by 1.1, <c>[text]</c> divides by 1.1, <c>(text:1.3)</c> multiplies by 1.3,
/// brackets nest and multiply, <c>\(</c> <c>\)</c> <c>\[</c> <c>\]</c> <c>\\</c> are literal characters (any
/// other backslash is dropped), brackets left open apply to the end of the prompt, unmatched closing
/// brackets stay as text, and the word <c>BREAK</c> (capitals, a whole word) ends the current chunk.
/// Neighbouring runs with equal weights are joined, as the reference does, before tokenising.
/// </summary>
/// <remarks>
/// One deliberate difference: the reference marks BREAK with a weight of −1, so a BREAK inside
/// brackets gets multiplied and is then tokenised as the word "break"; here BREAK is a flag and works
/// anywhere. A weight that is not a number (<c>(a:1.2.3)</c>) is an error in the reference; here that
/// text stays literal.
/// </remarks>
public static class PromptWeightParser
{
    public const double RoundBracketMultiplier = 1.1;
    public const double SquareBracketMultiplier = 1 / 1.1;

    private static readonly Regex BreakPattern = new(@"\s*\bBREAK\b\s*", RegexOptions.CultureInvariant);
    private static readonly Regex WeightClose = new(@"\G:\s*([+-]?[.\d]+)\s*\)", RegexOptions.CultureInvariant);

    public static IReadOnlyList<PromptSegment> Parse(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var texts = new List<string>();
        var weights = new List<double>();
        var breaks = new List<bool>();
        var round = new Stack<int>();
        var square = new Stack<int>();

        void Add(string text, bool isBreak = false) { texts.Add(text); weights.Add(1.0); breaks.Add(isBreak); }
        void MultiplyFrom(int start, double factor) { for (int p = start; p < weights.Count; p++) weights[p] *= factor; }
        void AddPlain(string text)
        {
            string[] parts = BreakPattern.Split(text);
            for (int k = 0; k < parts.Length; k++)
            {
                if (k > 0) Add("BREAK", isBreak: true);
                Add(parts[k]);
            }
        }

        int i = 0;
        while (i < prompt.Length)
        {
            char c = prompt[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 < prompt.Length && prompt[i + 1] is '(' or ')' or '[' or ']' or '\\')
                    {
                        Add(prompt[i + 1].ToString());
                        i += 2;
                    }
                    else
                    {
                        i++; // a lone backslash is dropped
                    }
                    break;
                case '(':
                    round.Push(texts.Count);
                    i++;
                    break;
                case '[':
                    square.Push(texts.Count);
                    i++;
                    break;
                case ':':
                    {
                        Match m = WeightClose.Match(prompt, i);
                        if (m.Success)
                        {
                            if (round.Count > 0 && double.TryParse(m.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double w))
                                MultiplyFrom(round.Pop(), w);
                            else
                                AddPlain(m.Value);
                            i += m.Length;
                        }
                        else
                        {
                            Add(":");
                            i++;
                        }
                        break;
                    }
                case ')':
                    if (round.Count > 0) MultiplyFrom(round.Pop(), RoundBracketMultiplier); else Add(")");
                    i++;
                    break;
                case ']':
                    if (square.Count > 0) MultiplyFrom(square.Pop(), SquareBracketMultiplier); else Add("]");
                    i++;
                    break;
                default:
                    {
                        int start = i;
                        while (i < prompt.Length && prompt[i] is not ('\\' or '(' or ')' or '[' or ']' or ':')) i++;
                        AddPlain(prompt[start..i]);
                        break;
                    }
            }
        }
        // Brackets never closed apply to everything after them (innermost first, as the stacks pop).
        foreach (int start in round) MultiplyFrom(start, RoundBracketMultiplier);
        foreach (int start in square) MultiplyFrom(start, SquareBracketMultiplier);

        var result = new List<PromptSegment>();
        for (int k = 0; k < texts.Count; k++)
        {
            if (!breaks[k] && result.Count > 0 && !result[^1].IsBreak && result[^1].Weight == weights[k])
                result[^1] = result[^1] with { Text = result[^1].Text + texts[k] };
            else
                result.Add(breaks[k] ? PromptSegment.Break : new PromptSegment(texts[k], weights[k]));
        }
        if (result.Count == 0) result.Add(new PromptSegment("", 1.0));
        return result;
    }
}
