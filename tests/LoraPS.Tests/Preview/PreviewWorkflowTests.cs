using LoraPS.Formats.Images;
using LoraPS.Models.Lora.Inference;
using LoraPS.Models.StableDiffusion;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Tests.Lora;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Preview;

namespace LoraPS.Tests.Preview;

/// <summary>
/// New-LoraPreview's workflow end to end on the tiny SD1 reference checkpoint: real loading, tokenizer, sampling,
/// LoRA at inference, PNG files with A1111's parameters text, and the grid.
/// </summary>
public sealed class PreviewWorkflowTests
{
    private static string Model => Path.Combine(RepoPaths.ReferenceData!, "models", "tiny-sd1-1234.safetensors");
    private static string ModelJson => Path.Combine(RepoPaths.ReferenceData!, "models", "tiny-sd1-1234.json");
    private static string Vocabulary => Path.Combine(RepoPaths.SharedData!, "bpe_simple_vocab_16e6.txt.gz");

    /// <summary>A LoRA on a few attention projections of the tiny UNet (width 32 at level 0) and of its 32-wide text encoder.</summary>
    private static string WriteLora(string folder, string name)
    {
        var layers = new List<TestLayer>
        {
            new("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", 32, 32),
            new("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_v", 32, 32),
            new("lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_ff_net_2", 32, 128),
            new("lora_te_text_model_encoder_layers_0_self_attn_q_proj", 32, 32),
        };
        string path = Path.Combine(folder, name + ".safetensors");
        TestLoras.WriteLora(path, layers, rank: 4, alpha: 4, seed: 5);
        return path;
    }

    private static PreviewOptions Options(string output, IReadOnlyList<string>? prompts = null, bool force = false, IReadOnlyList<string>? loraFolders = null) => new()
    {
        Model = new StableDiffusionLoadOptions { Path = Model, ConfigPath = ModelJson },
        TokenizerPath = Vocabulary,
        Hub = new LoraPS.Hub.HubOptions { Offline = true },
        Prompts = prompts ?? new[] { "a photo of a cat" },
        Settings = new GenerationRequest
        {
            Prompt = "", NegativePrompt = "blurry", Width = 64, Height = 64, Steps = 3, CfgScale = 5,
            Sampler = SamplerChoice.Parse("Euler a"),
        },
        Seeds = new long[] { 42 },
        Strengths = new[] { 0.0, 1.0 },
        LoraFolders = loraFolders ?? Array.Empty<string>(),
        OutputFolder = output,
        Force = force,
    };

    [ReferenceDataFact]
    public void Draws_each_strength_writes_pngs_with_parameters_and_a_grid()
    {
        using var temp = new TempFolder("preview");
        string lora = WriteLora(temp.Path, "my lora");
        string output = temp.File("out");
        var plan = PreviewPlan.Create(Options(output));
        using var workflow = PreviewWorkflow.Open(plan);

        var images = workflow.Render(lora);
        Assert.Equal(3, images.Count);
        Assert.True(images[^1].IsGrid);
        foreach (var image in images) Assert.True(File.Exists(image.Path), image.Path);
        Assert.Equal(plan.OutputPaths(lora), images.Select(i => i.Path));

        var zero = ImageCodecs.Decode(images[0].Path);
        var full = ImageCodecs.Decode(images[1].Path);
        Assert.Equal((64, 64), (zero.Width, zero.Height));
        Assert.NotEqual(zero.Pixels.ToArray(), full.Pixels.ToArray());

        // Strength 0 is the base model exactly: the same seed without any LoRA gives the same picture.
        var baseImages = workflow.Render(null);
        Assert.Equal(zero.Pixels.ToArray(), ImageCodecs.Decode(baseImages[0].Path).Pixels.ToArray());

        string parameters = PngText(images[1].Path);
        Assert.StartsWith("a photo of a cat <lora:my lora:1>\nNegative prompt: blurry\nSteps: 3, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 64x64", parameters);
        Assert.Contains("Lora hashes", parameters);
        Assert.DoesNotContain("<lora:", PngText(images[0].Path));

        var grid = ImageCodecs.Decode(images[^1].Path);
        Assert.True(grid.Width > 2 * 64 && grid.Height > 64, $"grid {grid.Width}×{grid.Height}");
    }

    [ReferenceDataFact]
    public void The_same_seed_draws_the_same_picture_and_prompt_lora_tags_apply()
    {
        using var temp = new TempFolder("preview");
        WriteLora(temp.Path, "style");
        var options = Options(temp.File("a"), new[] { "a cat", "a cat <lora:style:1>" }, loraFolders: new[] { temp.Path });
        using var workflow = PreviewWorkflow.Open(PreviewPlan.Create(options));
        var first = workflow.Render(null);
        Assert.Equal(3, first.Count); // two rows, one column, the grid
        var plain = ImageCodecs.Decode(first[0].Path).Pixels.ToArray();
        var tagged = ImageCodecs.Decode(first[1].Path).Pixels.ToArray();
        Assert.NotEqual(plain, tagged);
        Assert.Contains("<lora:style:1>", PngText(first[1].Path));

        using var again = PreviewWorkflow.Open(PreviewPlan.Create(options with { OutputFolder = temp.File("b") }));
        var second = again.Render(null);
        Assert.Equal(plain, ImageCodecs.Decode(second[0].Path).Pixels.ToArray());
        Assert.Equal(tagged, ImageCodecs.Decode(second[1].Path).Pixels.ToArray());
    }

    [ReferenceDataFact]
    public void Existing_pictures_stop_the_run_before_anything_is_drawn_unless_forced()
    {
        using var temp = new TempFolder("preview");
        string lora = WriteLora(temp.Path, "mine");
        string output = temp.File("out");
        var plan = PreviewPlan.Create(Options(output));
        Directory.CreateDirectory(output);
        string taken = plan.ImagePath(lora, 0, 1);
        File.WriteAllText(taken, "mine, not a picture");

        using var workflow = PreviewWorkflow.Open(plan);
        var e = Assert.Throws<IOException>(() => workflow.Render(lora));
        Assert.Contains(taken, e.Message);
        Assert.Equal("mine, not a picture", File.ReadAllText(taken));
        Assert.Single(Directory.GetFiles(output));

        using var forced = PreviewWorkflow.Open(PreviewPlan.Create(Options(output, force: true)));
        forced.Render(lora);
        Assert.Equal(ImageFormat.Png, ImageCodecs.Probe(taken).Format);
    }

    [ReferenceDataFact]
    public void A_lora_for_another_model_is_refused_before_anything_is_drawn()
    {
        using var temp = new TempFolder("preview");
        string lora = Path.Combine(temp.Path, "wide.safetensors");
        TestLoras.WriteLora(lora, new[] { new TestLayer("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", 320, 320) }, rank: 4, alpha: 4);
        string output = temp.File("out");
        using var workflow = PreviewWorkflow.Open(PreviewPlan.Create(Options(output)));
        var e = Assert.Throws<LoraModelMismatchException>(() => workflow.Render(lora));
        Assert.Contains("attn1_to_q", e.Message);
        Assert.False(Directory.Exists(output));
    }

    [ReferenceDataFact]
    public void A_prompt_naming_a_missing_lora_is_an_error_naming_it()
    {
        using var temp = new TempFolder("preview");
        var options = Options(temp.File("out"), new[] { "a cat <lora:nowhere:0.5>" }, loraFolders: new[] { temp.Path });
        using var workflow = PreviewWorkflow.Open(PreviewPlan.Create(options));
        var e = Assert.Throws<FileNotFoundException>(() => workflow.Render(null));
        Assert.Contains("nowhere", e.Message);
    }

    [Fact]
    public void Plans_are_checked_before_any_model_is_loaded()
    {
        using var temp = new TempFolder("preview");
        var options = Options(temp.File("out"), Array.Empty<string>()) with
        {
            Model = new StableDiffusionLoadOptions { Path = temp.File("missing.safetensors") },
        };
        Assert.Contains("prompt", Assert.Throws<ArgumentException>(() => PreviewPlan.Create(options)).Message);
        Assert.Throws<ArgumentException>(() => PreviewPlan.Create(options with { Prompts = new[] { "x" }, Strengths = Array.Empty<double>() }));

        var plan = PreviewPlan.Create(options with { Prompts = new[] { "x", "y" }, Seeds = new long[] { 1, 2 } });
        Assert.Equal(4, plan.Rows.Count);
        var paths = plan.OutputPaths("/loras/mine.safetensors").ToList();
        Assert.Equal(2 * 4 + 1, paths.Count);
        Assert.Equal(Path.Combine(temp.File("out"), "mine-1-03-2.png"), paths[7]);
        Assert.Equal(Path.Combine(temp.File("out"), "mine-grid.png"), paths[^1]);
        Assert.Equal(4 + 1, plan.OutputPaths(null).Count()); // no LoRA: one column, the base model
    }

    [Fact]
    public void Prompt_file_lines_become_rows_and_keep_their_own_seed_and_size()
    {
        using var temp = new TempFolder("preview");
        string file = temp.File("prompts.txt");
        File.WriteAllText(file, "# comment\na dog --d 7 --w 128 --l 4\na bird --n ugly --ss ddim\n");
        var plan = PreviewPlan.Create(Options(temp.File("out"), Array.Empty<string>()) with { PromptFile = file, Seeds = new long[] { 1, 2 } });
        Assert.Equal(new[] { ("a dog", 7L), ("a bird", 1L), ("a bird", 2L) }, plan.Rows.Select(r => (r.Prompt, r.Seed)));
        Assert.Equal((128, 64, 4.0), (plan.Rows[0].Width, plan.Rows[0].Height, plan.Rows[0].CfgScale));
        Assert.Equal(("ugly", "DDIM"), (plan.Rows[1].NegativePrompt, plan.Rows[1].Sampler.ToString()));
    }

    private static string PngText(string path) => PreviewPng.ReadParameters(File.ReadAllBytes(path), path) ?? "";
}
