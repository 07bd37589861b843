using System.Text;
using LoraPS.Formats;
using LoraPS.Formats.Toml;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.StableDiffusion.Generation;

public sealed class SamplePromptTests
{
    [Fact]
    public void A_line_reads_the_prompt_and_every_sd_scripts_option()
    {
        var p = SamplePrompt.ParseLine("masterpiece, 1girl, (smile:1.2) --n low quality, worst quality --w 768 --h 512 --d 42 --s 28 --l 7.5 --ss euler_a", "p.txt", 3);
        Assert.Equal("masterpiece, 1girl, (smile:1.2)", p.Prompt);
        Assert.Equal("low quality, worst quality", p.NegativePrompt);
        Assert.Equal(768, p.Width);
        Assert.Equal(512, p.Height);
        Assert.Equal(42, p.Seed);
        Assert.Equal(28, p.Steps);
        Assert.Equal(7.5, p.CfgScale);
        Assert.Equal(new SamplerChoice(SamplerKind.EulerAncestral), p.Sampler);
        Assert.Empty(p.IgnoredOptions);
        Assert.Equal("p.txt", p.Source);
        Assert.Equal(3, p.LineNumber);
    }

    [Fact]
    public void Options_are_case_insensitive_in_any_order_and_the_last_wins()
    {
        var p = SamplePrompt.ParseLine("  a cat --SS DPM++ 2M Karras --W 640 --w 704 --L 5 --D 0  ");
        Assert.Equal("a cat", p.Prompt);
        Assert.Equal(704, p.Width);
        Assert.Equal(5, p.CfgScale);
        Assert.Equal(0, p.Seed);
        Assert.Equal(new SamplerChoice(SamplerKind.DpmPlusPlus2M, true), p.Sampler);
        Assert.Null(p.Height);
        Assert.Null(p.NegativePrompt);
    }

    [Fact]
    public void A_plain_line_sets_nothing_but_the_prompt_and_options_need_space_dash_dash()
    {
        var p = SamplePrompt.ParseLine("a well-lit room--w 5, long-exposure");
        Assert.Equal("a well-lit room--w 5, long-exposure", p.Prompt);
        Assert.Null(p.Width);
        Assert.Equal("", SamplePrompt.ParseLine("--w 512").Prompt);
        Assert.Equal(512, SamplePrompt.ParseLine("--w 512 --h 640").Width);
        Assert.Equal(640, SamplePrompt.ParseLine("--w 512 --h 640").Height);
    }

    [Fact]
    public void Steps_are_clamped_to_1_to_1000_and_small_sizes_kept_for_the_generator_to_floor()
    {
        Assert.Equal(1, SamplePrompt.ParseLine("x --s 0").Steps);
        Assert.Equal(1000, SamplePrompt.ParseLine("x --s 5000").Steps);
        Assert.Equal(1000, SamplePrompt.ParseLine("x --s 99999999999999999999").Steps);
        Assert.Equal(0, SamplePrompt.ParseLine("x --w 0").Width);
        Assert.Equal(64, GenerationRequest.FloorSize(0));
        Assert.Equal(520, GenerationRequest.FloorSize(527));
    }

    [Fact]
    public void Options_of_other_models_and_unknown_ones_are_kept_aside_not_errors()
    {
        var p = SamplePrompt.ParseLine("a cat --g 3.5 --cn pose.png --ar 16:9 --w 512 -- what");
        Assert.Equal(512, p.Width);
        Assert.Equal(new[] { "--g 3.5", "--cn pose.png", "--ar 16:9", "-- what" }, p.IgnoredOptions);
    }

    [Theory]
    [InlineData("a --w abc", "--w")]
    [InlineData("a --w -5", "--w")]
    [InlineData("a --w 512px", "--w")]
    [InlineData("a --w 99999", "--w")]
    [InlineData("a --h", "--h")]
    [InlineData("a --d 1.5", "--d")]
    [InlineData("a --d 99999999999999999999", "--d")]
    [InlineData("a --s ten", "--s")]
    [InlineData("a --l 7,5", "--l")]
    [InlineData("a --l 1.2.3", "--l")]
    [InlineData("a --l -3", "--l")]
    [InlineData("a --l", "--l")]
    [InlineData("a --ss heun", "not implemented")]
    [InlineData("a --ss warp_drive", "unknown sampler")]
    public void Malformed_option_values_are_errors_naming_file_line_and_option(string line, string named)
    {
        var e = Assert.Throws<SamplePromptException>(() => SamplePrompt.ParseLine(line, "/x/prompts.txt", 12));
        Assert.Equal(12, e.Line);
        Assert.Equal("/x/prompts.txt", e.FilePath);
        Assert.StartsWith("/x/prompts.txt: line 12: ", e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void An_empty_line_is_an_error()
    {
        Assert.Throws<SamplePromptException>(() => SamplePrompt.ParseLine("   \t "));
    }

    [Fact]
    public void ToRequest_overrides_only_what_the_prompt_sets()
    {
        var defaults = new GenerationRequest { Prompt = "", NegativePrompt = "bad", Width = 512, Height = 512, Steps = 20, CfgScale = 7, Seed = 99, ClipSkip = 2 };
        var request = SamplePrompt.ParseLine("a dog --h 768 --s 30 --ss ddim").ToRequest(defaults);
        Assert.Equal(defaults with { Prompt = "a dog", Height = 768, Steps = 30, Sampler = new SamplerChoice(SamplerKind.Ddim) }, request);
        var all = SamplePrompt.ParseLine("x --n y --w 64 --h 128 --d 5 --s 2 --l 1.5 --ss euler").ToRequest(SamplePrompt.SdScriptsDefaults);
        Assert.Equal(new GenerationRequest { Prompt = "x", NegativePrompt = "y", Width = 64, Height = 128, Seed = 5, Steps = 2, CfgScale = 1.5, Sampler = new SamplerChoice(SamplerKind.Euler) }, all);
        Assert.Equal(30, SamplePrompt.SdScriptsDefaults.Steps);
        Assert.Equal(7.5, SamplePrompt.SdScriptsDefaults.CfgScale);
        Assert.Equal(SamplerKind.Ddim, SamplePrompt.SdScriptsDefaults.Sampler.Kind);
    }

    [Fact]
    public void A_text_file_skips_comments_and_blank_lines_and_keeps_line_numbers()
    {
        using var dir = new TempFolder("prompts");
        string path = dir.File("サンプル prompts.txt");
        File.WriteAllText(path, "\uFEFF# my prompts\r\n\r\na cat --w 768\r\n   \r\n# another\r\nネコ、かわいい --n 低品質 --d 7\r\n  # indented comment\nlast line without newline", new UTF8Encoding(false));
        var prompts = SamplePrompt.ReadFile(path);
        Assert.Equal(3, prompts.Count);
        Assert.Equal(("a cat", 3), (prompts[0].Prompt, prompts[0].LineNumber));
        Assert.Equal(768, prompts[0].Width);
        Assert.Equal(("ネコ、かわいい", 6), (prompts[1].Prompt, prompts[1].LineNumber));
        Assert.Equal("低品質", prompts[1].NegativePrompt);
        Assert.Equal(("last line without newline", 8), (prompts[2].Prompt, prompts[2].LineNumber));
        Assert.All(prompts, p => Assert.Equal(path, p.Source));
    }

    [Fact]
    public void A_bad_line_in_a_text_file_names_the_file_and_line()
    {
        using var dir = new TempFolder("prompts");
        string path = dir.File("p.txt");
        File.WriteAllText(path, "# c\na --w 512\nb --w wide\n");
        var e = Assert.Throws<SamplePromptException>(() => SamplePrompt.ReadFile(path));
        Assert.Equal(3, e.Line);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void A_toml_file_merges_each_subset_over_the_prompt_table()
    {
        using var dir = new TempFolder("prompts");
        string path = dir.File("p.toml");
        File.WriteAllText(path, """
            [prompt]
            negative_prompt = "lowres, bad anatomy"
            width = 512
            height = 512
            scale = 7
            sample_steps = 28

            [[prompt.subset]]
            prompt = "1girl, smile"
            seed = 1

            [[prompt.subset]]
            prompt = "1boy"
            width = 768
            sample_sampler = "k_euler_a"
            negative_prompt = ""
            controlnet_image = "pose.png"
            """);
        var prompts = SamplePrompt.ReadFile(path);
        Assert.Equal(2, prompts.Count);
        Assert.Equal("1girl, smile", prompts[0].Prompt);
        Assert.Equal("lowres, bad anatomy", prompts[0].NegativePrompt);
        Assert.Equal((512, 512, 28, 7.0, 1L), (prompts[0].Width!.Value, prompts[0].Height!.Value, prompts[0].Steps!.Value, prompts[0].CfgScale!.Value, prompts[0].Seed!.Value));
        Assert.Null(prompts[0].Sampler);
        Assert.Equal(8, prompts[0].LineNumber);
        Assert.Equal("1boy", prompts[1].Prompt);
        Assert.Equal("", prompts[1].NegativePrompt);
        Assert.Equal(768, prompts[1].Width);
        Assert.Null(prompts[1].Seed);
        Assert.Equal(new SamplerChoice(SamplerKind.EulerAncestral), prompts[1].Sampler);
        Assert.Equal(new[] { "controlnet_image = \"pose.png\"" }, prompts[1].IgnoredOptions);
    }

    [Theory]
    [InlineData(".toml", "[other]\nx = 1\n", 1, "[prompt]")]
    [InlineData(".toml", "[prompt]\nwidth = 512\n", 1, "subset")]
    [InlineData(".toml", "[prompt]\nsubset = [1, 2]\n", 2, "subset")]
    [InlineData(".toml", "[prompt]\n[[prompt.subset]]\nseed = 1\n", 2, "no \"prompt\"")]
    [InlineData(".toml", "[prompt]\n[[prompt.subset]]\nprompt = \"a\"\nwidth = \"512\"\n", 4, "width")]
    [InlineData(".toml", "[prompt]\nscale = \"high\"\n[[prompt.subset]]\nprompt = \"a\"\n", 2, "scale")]
    [InlineData(".toml", "[prompt]\n[[prompt.subset]]\nprompt = \"a\"\nsample_sampler = \"plms\"\n", 4, "sample_sampler")]
    [InlineData(".toml", "[prompt]\n[[prompt.subset]]\nprompt = 5\n", 3, "prompt")]
    [InlineData(".toml", "[prompt]\n[[prompt.subset]]\nprompt = \"a\"\nseed = -1\n", 4, "seed")]
    [InlineData(".json", "{\"prompt\": \"a\"}", 1, "list")]
    [InlineData(".json", "[\n\"a\",\n 5\n]", 3, "item 2")]
    [InlineData(".json", "[\n\"a\",\n null\n]", 3, "item 2")]
    [InlineData(".json", "[\n\"a\",\n{\"prompt\": \"b\", \"width\": 512.5}\n]", 3, "width")]
    [InlineData(".json", "[\n\"a\",\n{\"negative_prompt\": \"b\"}\n]", 3, "no \"prompt\"")]
    [InlineData(".json", "[\n\"a --s x\"\n]", 2, "--s")]
    [InlineData(".json", "[\n\"a\",\n{\"prompt\": \"b\",,}\n]", 3, "JSON")]
    [InlineData(".json", "[\"a\"", 1, "JSON")]
    [InlineData(".json", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 1, "JSON")]
    public void Malformed_toml_and_json_files_name_the_file_and_line(string extension, string text, int line, string named)
    {
        using var dir = new TempFolder("prompts");
        string path = dir.File("p" + extension);
        File.WriteAllText(path, text);
        var e = Assert.Throws<SamplePromptException>(() => SamplePrompt.ReadFile(path));
        Assert.Equal(line, e.Line);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Broken_toml_syntax_is_the_toml_reader_error_with_its_line()
    {
        using var dir = new TempFolder("prompts");
        string path = dir.File("p.toml");
        File.WriteAllText(path, "[prompt]\n[[prompt.subset]]\nprompt = \"unterminated\n");
        var e = Assert.Throws<TomlException>(() => SamplePrompt.ReadFile(path));
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void A_json_file_takes_strings_as_lines_and_objects_as_tables()
    {
        using var dir = new TempFolder("prompts");
        string path = dir.File("p.json");
        File.WriteAllText(path, "\uFEFF[\n  \"a cat --w 640 --d 3\",\n  {\n    \"prompt\": \"a dog\",\n    \"negative_prompt\": \"blurry\",\n    \"width\": 768.0,\n    \"scale\": 5,\n    \"sample_steps\": 12,\n    \"sample_sampler\": \"DPM++ 2M Karras\",\n    \"enum\": 1\n  }\n]\n", new UTF8Encoding(false));
        var prompts = SamplePrompt.ReadFile(path);
        Assert.Equal(2, prompts.Count);
        Assert.Equal(("a cat", 640, 3L, 2), (prompts[0].Prompt, prompts[0].Width!.Value, prompts[0].Seed!.Value, prompts[0].LineNumber));
        Assert.Equal(("a dog", "blurry", 768, 5.0, 12, 3), (prompts[1].Prompt, prompts[1].NegativePrompt, prompts[1].Width!.Value, prompts[1].CfgScale!.Value, prompts[1].Steps!.Value, prompts[1].LineNumber));
        Assert.Equal(new SamplerChoice(SamplerKind.DpmPlusPlus2M, true), prompts[1].Sampler);
        Assert.Equal(new[] { "enum = 1" }, prompts[1].IgnoredOptions);
    }

    [Fact]
    public void Unreadable_files_are_refused_with_a_reason()
    {
        using var dir = new TempFolder("prompts");
        Assert.Throws<FileNotFoundException>(() => SamplePrompt.ReadFile(dir.File("missing.txt")));

        string yaml = dir.File("p.yaml");
        File.WriteAllText(yaml, "prompt: a");
        Assert.Contains(".txt, .toml or .json", Assert.Throws<SamplePromptException>(() => SamplePrompt.ReadFile(yaml)).Message);

        string latin1 = dir.File("p.txt");
        File.WriteAllBytes(latin1, new byte[] { (byte)'a', (byte)'\n', (byte)'c', 0xE9, (byte)'\n' });
        var e = Assert.Throws<SamplePromptException>(() => SamplePrompt.ReadFile(latin1));
        Assert.Equal(2, e.Line);
        Assert.Contains("UTF-8", e.Message);

        string huge = dir.File("huge.txt");
        using (var f = File.Create(huge)) f.SetLength(SamplePrompt.MaxFileBytes + 1);
        Assert.Contains("limited", Assert.Throws<SamplePromptException>(() => SamplePrompt.ReadFile(huge)).Message);
        Assert.IsAssignableFrom<InvalidFileException>(Assert.Throws<SamplePromptException>(() => SamplePrompt.ReadFile(huge)));
    }

    [Fact]
    public void Hostile_text_is_just_a_prompt()
    {
        var p = SamplePrompt.ParseLine("a\0b \u202Eevil\u202C " + new string('x', 100_000) + " --n \0");
        Assert.StartsWith("a\0b", p.Prompt);
        Assert.Equal("\0", p.NegativePrompt);
    }
}
