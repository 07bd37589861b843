using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoraPS.Workflows.Preview;

namespace LoraPS.Tests.Preview;

/// <summary>The AUTOMATIC1111 "parameters" text: exact strings, quoting, and that a reader of that format gets the values back.</summary>
public sealed class InfoTextTests
{
    [Fact]
    public void Everything_given()
    {
        string text = InfoText.Format("a photo of a cat", "blurry, lowres", 20, "Euler a", 7, 42, 512, 512,
            "v1-5-pruned-emaonly", "6ce0161689", 2, [("cat", "0123abcd"), ("dog", "4567ef01")]);
        Assert.Equal(
            "a photo of a cat\n" +
            "Negative prompt: blurry, lowres\n" +
            "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, " +
            "Clip skip: 2, Lora hashes: \"cat: 0123abcd, dog: 4567ef01\"",
            text);
    }

    [Fact]
    public void Optional_parts_left_out()
    {
        Assert.Equal("masterpiece, 1girl\nSteps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 4294967296, Size: 768x512",
            InfoText.Format("masterpiece, 1girl", "", 30, "DPM++ 2M Karras", 7.5, 4294967296, 768, 512));
        // Clip skip 1 is the default and A1111 does not write it; empty names, hashes and LoRA lists are left out.
        Assert.Equal("cat\nSteps: 1, Sampler: DDIM, CFG scale: 1, Seed: -1, Size: 64x96",
            InfoText.Format("cat", "", 1, "DDIM", 1, -1, 64, 96, "", "", 1, []));
        Assert.Equal("cat\nSteps: 1, Sampler: DDIM, CFG scale: 1, Seed: 0, Size: 8x8, Model: m",
            InfoText.Format("cat", "", 1, "DDIM", 1, 0, 8, 8, modelName: "m"));
    }

    [Fact]
    public void Empty_prompt_leaves_no_empty_first_line()
    {
        Assert.Equal("Steps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512x512",
            InfoText.Format("", "", 20, "Euler", 7, 1, 512, 512));
        Assert.Equal("Negative prompt: ugly\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512x512",
            InfoText.Format("", "ugly", 20, "Euler", 7, 1, 512, 512));
    }

    [Fact]
    public void Multi_line_prompts_are_kept()
    {
        Assert.Equal("first line\nsecond <lora:mylora:0.8>\nNegative prompt: bad\nhands\nSteps: 20, Sampler: Euler a, CFG scale: 6.25, Seed: 7, Size: 512x768",
            InfoText.Format("first line\nsecond <lora:mylora:0.8>", "bad\nhands", 20, "Euler a", 6.25, 7, 512, 768));
    }

    [Fact]
    public void Values_with_commas_colons_or_line_breaks_are_json_quoted()
    {
        Assert.Equal("plain", InfoText.Quote("plain"));
        Assert.Equal("\"a,b\"", InfoText.Quote("a,b"));
        Assert.Equal("\"a:b\"", InfoText.Quote("a:b"));
        Assert.Equal("\"say \\\"hi\\\", C:\\\\x\\n\\ttab\"", InfoText.Quote("say \"hi\", C:\\x\n\ttab"));
        Assert.Equal("\"\\u0001,é\"", InfoText.Quote("\u0001,é"));
        Assert.Equal("a \"quote\" alone", InfoText.Quote("a \"quote\" alone"));
        Assert.EndsWith("Model: \"my, model\"", InfoText.Format("p", "", 20, "Euler", 7, 1, 8, 8, "my, model"));
    }

    [Fact]
    public void Numbers_do_not_depend_on_the_current_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("p\nSteps: 20, Sampler: Euler, CFG scale: 7.5, Seed: 1234567, Size: 512x512",
                InfoText.Format("p", "", 20, "Euler", 7.5, 1234567, 512, 512));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void Bad_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InfoText.Format("p", "", 0, "Euler", 7, 1, 8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => InfoText.Format("p", "", 20, "Euler", double.NaN, 1, 8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => InfoText.Format("p", "", 20, "Euler", 7, 1, 0, 8));
        Assert.Throws<ArgumentException>(() => InfoText.Format("p", "", 20, " ", 7, 1, 8, 8));
    }

    // A reader of the last line as tools that read A1111 PNGs parse it: "key: value" pairs separated by
    // commas, where a value is either a JSON string or runs to the next comma.
    private static readonly Regex Pair = new(@"\s*([\w][\w \-/]*):\s*(""(?:\\.|[^\\""])*""|[^,]*)(?:,|$)");

    private static Dictionary<string, string> ParseParameters(string infotext)
    {
        string last = infotext[(infotext.LastIndexOf('\n') + 1)..];
        return Pair.Matches(last).ToDictionary(m => m.Groups[1].Value,
            m => m.Groups[2].Value.StartsWith('"') ? JsonSerializer.Deserialize<string>(m.Groups[2].Value)! : m.Groups[2].Value.Trim());
    }

    [Fact]
    public void A_reader_of_the_format_gets_every_value_back()
    {
        string text = InfoText.Format("a cat", "dog", 28, "DPM++ 2M, Karras", 4.5, 987654321012, 640, 448,
            "model: v2 \"final\"", "abcdef0123", 3, [("style, v2", "00ff00ff"), ("é", "12345678")]);
        var values = ParseParameters(text);
        Assert.Equal("28", values["Steps"]);
        Assert.Equal("DPM++ 2M, Karras", values["Sampler"]);
        Assert.Equal("4.5", values["CFG scale"]);
        Assert.Equal("987654321012", values["Seed"]);
        Assert.Equal("640x448", values["Size"]);
        Assert.Equal("abcdef0123", values["Model hash"]);
        Assert.Equal("model: v2 \"final\"", values["Model"]);
        Assert.Equal("3", values["Clip skip"]);
        Assert.Equal("style, v2: 00ff00ff, é: 12345678", values["Lora hashes"]);
        Assert.Equal(9, values.Count);
    }
}
