using LoraPS.Models.Lora.Inference;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.LoraApply;

public sealed class LoraPromptSyntaxTests
{
    private static LoraPromptReference R(string name, double te, double unet) => new(name, te, unet);

    [Theory]
    [InlineData("a photo <lora:mylora:0.8>", "a photo ", "mylora", 0.8, 0.8)]
    [InlineData("<lora:mylora>, a cat", ", a cat", "mylora", 1.0, 1.0)]
    [InlineData("x <lora:mylora:0.8:0.5> y", "x  y", "mylora", 0.8, 0.5)]
    [InlineData("<lora:my lora v2.1:-0.25>", "", "my lora v2.1", -0.25, -0.25)]
    [InlineData("<lyco:locon_style:1.2>", "", "locon_style", 1.2, 1.2)]
    [InlineData("<LoRA:Upper:.5>", "", "Upper", 0.5, 0.5)]
    [InlineData("< lora:x:1>", "< lora:x:1>", null, 0, 0)]
    [InlineData("<lora: spaced name : 0.7 : 0.3 >", "", "spaced name", 0.7, 0.3)]
    [InlineData("<lora:x:te=0.4:unet=0.9>", "", "x", 0.4, 0.9)]
    [InlineData("<lora:x:unet=0.9>", "", "x", 1.0, 0.9)]
    [InlineData("<lora:x:0.6:unet=0>", "", "x", 0.6, 0.0)]
    [InlineData("<lora:x:te=0>", "", "x", 0.0, 0.0)]
    [InlineData("<lora:キャラ:1e-1>", "", "キャラ", 0.1, 0.1)]
    public void One_tag_is_read_and_cut_out(string prompt, string rest, string? name, double te, double unet)
    {
        var (text, loras) = LoraPromptSyntax.Extract(prompt);
        Assert.Equal(rest, text);
        if (name is null) Assert.Empty(loras);
        else Assert.Equal(new[] { R(name, te, unet) }, loras);
    }

    [Fact]
    public void Several_tags_come_in_prompt_order_and_the_rest_of_the_text_is_untouched()
    {
        var (text, loras) = LoraPromptSyntax.Extract("masterpiece, (red hair:1.2) <lora:a:0.5>, [blue eyes] <lyco:b:1:0> BREAK <lora:a:0.25>");
        Assert.Equal("masterpiece, (red hair:1.2) , [blue eyes]  BREAK ", text);
        Assert.Equal(new[] { R("a", 0.5, 0.5), R("b", 1, 0), R("a", 0.25, 0.25) }, loras);
    }

    [Theory]
    [InlineData("no tags at all", "no tags at all", "")]
    [InlineData("<lora:unclosed:0.5", "<lora:unclosed:0.5", "")]
    [InlineData("<hypernet:h:1> <lorax:y:1> <lora> <lora name>", "<hypernet:h:1> <lorax:y:1> <lora> <lora name>", "")]
    [InlineData("x > y < z", "x > y < z", "")]
    [InlineData("(<lora:in:0.5>:1.1)", "(:1.1)", "in")]
    [InlineData("<lora:outer:<lora:inner:0.5>>", "<lora:outer:>", "inner")]
    public void Text_that_is_not_a_whole_tag_is_left_alone(string prompt, string rest, string names)
    {
        var (text, loras) = LoraPromptSyntax.Extract(prompt);
        Assert.Equal(rest, text);
        Assert.Equal(names, string.Join(",", loras.Select(l => l.Name)));
    }

    [Theory]
    [InlineData("a <lora::0.5>", "no name", 3)]
    [InlineData("a <lora:   >", "no name", 3)]
    [InlineData("<lora:x:abc>", "'abc' is not a number", 1)]
    [InlineData("<lora:x:0,8>", "'0,8' is not a number", 1)]
    [InlineData("<lora:x:NaN>", "'NaN' is not a number", 1)]
    [InlineData("<lora:x:>", "empty value", 1)]
    [InlineData("<lora:x:1:1:8>", "DyLoRA", 1)]
    [InlineData("<lora:x:dyn=8>", "'dyn' is not supported", 1)]
    [InlineData("<lora:x:lbw=FACE>", "'lbw' is not supported", 1)]
    [InlineData("<lora:x:te=1:te=2>", "te= is given twice", 1)]
    public void A_tag_meant_as_one_but_unreadable_is_reported_with_its_text_and_position(string prompt, string defect, int column)
    {
        var e = Assert.Throws<LoraPromptSyntaxException>(() => LoraPromptSyntax.Extract(prompt));
        Assert.Contains(defect, e.Message);
        Assert.Equal(column - 1, e.Index);
        Assert.Contains($"at character {column}", e.Message);
        Assert.Contains(e.Tag, e.Message);
        Assert.StartsWith("<l", e.Tag);
    }

    [Fact]
    public void Resolve_finds_names_with_spaces_and_non_ascii_in_the_folders_in_order()
    {
        using var root = new TempFolder("lora resolve ü");
        string first = Directory.CreateDirectory(root.File("first folder")).FullName;
        string second = Directory.CreateDirectory(root.File("二番目")).FullName;
        string nested = Directory.CreateDirectory(Path.Combine(second, "characters", "深い")).FullName;
        File.WriteAllText(Path.Combine(second, "my lora v2.safetensors"), "x");
        File.WriteAllText(Path.Combine(first, "キャラ.ckpt"), "x");
        File.WriteAllText(Path.Combine(second, "キャラ.safetensors"), "x");
        File.WriteAllText(Path.Combine(second, "old.pt"), "x");
        File.WriteAllText(Path.Combine(nested, "Deep Style.safetensors"), "x");
        File.WriteAllText(Path.Combine(second, "both.ckpt"), "x");
        File.WriteAllText(Path.Combine(second, "both.safetensors"), "x");
        File.WriteAllText(Path.Combine(second, "notes.txt"), "x");
        var folders = new[] { first, second };

        Assert.Equal(Path.Combine(second, "my lora v2.safetensors"), LoraPromptSyntax.Resolve("my lora v2", folders));
        Assert.Equal(Path.Combine(first, "キャラ.ckpt"), LoraPromptSyntax.Resolve("キャラ", folders));        // first folder wins
        Assert.Equal(Path.Combine(second, "old.pt"), LoraPromptSyntax.Resolve("old", folders));
        Assert.Equal(Path.Combine(second, "both.safetensors"), LoraPromptSyntax.Resolve("both", folders)); // .safetensors preferred
        Assert.Equal(Path.Combine(second, "both.ckpt"), LoraPromptSyntax.Resolve("both.ckpt", folders));   // an explicit extension
        Assert.Equal(Path.Combine(nested, "Deep Style.safetensors"), LoraPromptSyntax.Resolve("Deep Style", folders)); // in a subfolder
        Assert.Equal(Path.Combine(nested, "Deep Style.safetensors"), LoraPromptSyntax.Resolve("deep style", folders)); // case, as on Windows
        Assert.Equal(Path.Combine(nested, "Deep Style.safetensors"), LoraPromptSyntax.Resolve("characters/深い/Deep Style", new[] { second }));
        // A full path, with or without extension; NFD spelling of a name finds the NFC file.
        Assert.Equal(Path.Combine(second, "my lora v2.safetensors"), LoraPromptSyntax.Resolve(Path.Combine(second, "my lora v2"), Array.Empty<string>()));
        File.WriteAllText(Path.Combine(first, "caf\u00e9.safetensors"), "x");
        Assert.Equal(Path.Combine(first, "caf\u00e9.safetensors"), LoraPromptSyntax.Resolve("cafe\u0301", folders));
    }

    [Fact]
    public void A_missing_lora_names_itself_and_the_folders_searched()
    {
        using var root = new TempFolder("lora missing");
        string present = Directory.CreateDirectory(root.File("loras ü")).FullName;
        string absent = root.File("not there");
        File.WriteAllText(Path.Combine(present, "notes.txt"), "x");
        var e = Assert.Throws<FileNotFoundException>(() => LoraPromptSyntax.Resolve("my missing lora", new[] { present, absent }));
        Assert.Contains("'my missing lora'", e.Message);
        Assert.Contains(present, e.Message);
        Assert.Contains(absent + "' (missing)", e.Message);
        Assert.Equal("my missing lora", e.FileName);
        Assert.Throws<FileNotFoundException>(() => LoraPromptSyntax.Resolve("notes", new[] { present })); // not a LoRA extension
        Assert.Contains("no LoRA folders", Assert.Throws<FileNotFoundException>(() => LoraPromptSyntax.Resolve("x", Array.Empty<string>())).Message);
        Assert.Throws<ArgumentException>(() => LoraPromptSyntax.Resolve(" ", new[] { present }));
    }
}
