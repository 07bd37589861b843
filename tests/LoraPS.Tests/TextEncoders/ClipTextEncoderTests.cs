using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.Text;
using LoraPS.Torch;

namespace LoraPS.Tests.TextEncoders;

/// <summary>A tiny random encoder (vocabulary of 100, width 16, 3 layers): structure, gradients, chunks, weights.</summary>
public sealed class ClipTextEncoderTests
{
    private static readonly ClipTextEncoderConfig Tiny = new()
    {
        VocabSize = 100, Width = 16, Layers = 3, Heads = 2, Activation = ClipActivation.QuickGelu, PadTokenId = 99, LayerUsed = ClipLayerUsed.Last,
    };

    private static readonly ClipTokenChunker Chunker = new(98, 99, 99);

    private static Tensor RandomIds(int batch, int length, int seed)
    {
        var random = new Random(seed);
        return torch.tensor(Enumerable.Range(0, batch * length).Select(_ => (long)random.Next(0, 98)).ToArray(), batch, length);
    }

    private static float[] Slice(Tensor t, long dim, long start, long length)
    {
        using var part = t.narrow(dim, start, length);
        using var contiguous = part.contiguous();
        return contiguous.data<float>();
    }

    [Fact]
    public void State_dict_names_are_Hugging_Face_CLIPTextModel_names()
    {
        using var encoder = new ClipTextEncoder(Tiny);
        Assert.Equal(ClipCheckpointLayout.ClipTextEncoderParameterNames(Tiny).OrderBy(x => x, StringComparer.Ordinal),
            encoder.state_dict().Keys.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void Backward_reaches_every_parameter()
    {
        using var encoder = new ClipTextEncoder(Tiny);
        encoder.train();
        using var ids = RandomIds(2, 77, 1);
        using (var output = encoder.Encode(ids))
        using (var loss = output.pow(2).sum())
            loss.backward();
        foreach (var (name, parameter) in encoder.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} got no gradient");
            using var magnitude = grad!.abs().sum();
            Assert.True(magnitude.item() > 0, $"{name} got a zero gradient");
        }
    }

    [Fact]
    public void Gradient_checkpointing_gives_the_same_gradients()
    {
        using var encoder = new ClipTextEncoder(Tiny);
        encoder.train();
        using var ids = RandomIds(2, 77, 2);

        Dictionary<string, float[]> Gradients(bool checkpointing)
        {
            encoder.zero_grad();
            encoder.GradientCheckpointing = checkpointing;
            using (var output = encoder.Encode(ids, clipSkip: 2))
            using (var loss = output.pow(2).sum())
                loss.backward();
            return encoder.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.data<float>());
        }

        var plain = Gradients(false);
        var checkpointed = Gradients(true);
        Assert.Equal(plain.Keys.OrderBy(k => k), checkpointed.Keys.OrderBy(k => k));
        Assert.DoesNotContain("text_model.encoder.layers.2.mlp.fc2.weight", plain.Keys); // clip skip 2 never runs the last layer
        foreach (var (name, grad) in plain)
            Assert.True(grad.SequenceEqual(checkpointed[name]), $"{name}: gradients differ with checkpointing");
    }

    [Fact]
    public void Clip_skip_picks_an_earlier_layer_and_out_of_range_values_are_refused()
    {
        using var encoder = new ClipTextEncoder(Tiny);
        encoder.eval();
        using var ids = RandomIds(1, 77, 3);
        using var _ = torch.no_grad();
        using var last = encoder.Encode(ids, 1);
        using var skip2 = encoder.Encode(ids, 2);
        using var layer2Raw = encoder.Encode(ids, 2, finalLayerNorm: false);
        using var layer2Normed = encoder.text_model.final_layer_norm.forward(layer2Raw);
        Assert.Equal(skip2.data<float>(), layer2Normed.data<float>());
        Assert.NotEqual(last.data<float>(), skip2.data<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode(ids, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode(ids, 4));
        using var tooLong = RandomIds(1, 78, 4);
        Assert.Throws<ArgumentException>(() => encoder.Encode(tooLong));
    }

    [Fact]
    public void Long_prompts_are_encoded_per_chunk_and_stitched()
    {
        using var encoder = new ClipTextEncoder(Tiny);
        encoder.eval();
        using var _ = torch.no_grad();
        var random = new Random(5);
        var prompts = new[] { 100, 20 }.Select(count => Chunker.Layout(WeightedTokens.Unweighted(Enumerable.Range(0, count).Select(_ => random.Next(0, 98)).ToArray()), 2)).ToList();

        using var stitched = encoder.EncodeChunks(prompts);
        Assert.Equal(new long[] { 2, 152, 16 }, stitched.shape);
        for (int b = 0; b < 2; b++)
        {
            using var row = stitched.select(0, b);
            for (int k = 0; k < 2; k++)
            {
                using var window = torch.tensor(prompts[b].Ids(k).Select(i => (long)i).ToArray(), 1, 77);
                using var alone = encoder.Encode(window);
                using var aloneRow = alone.select(0, 0);
                if (k == 0) Assert.Equal(Slice(aloneRow, 0, 0, 1), Slice(row, 0, 0, 1));
                Assert.Equal(Slice(aloneRow, 0, 1, 75), Slice(row, 0, 1 + 75 * k, 75));
                if (k == 1) Assert.Equal(Slice(aloneRow, 0, 76, 1), Slice(row, 0, 151, 1));
            }
        }
    }

    [Fact]
    public void Token_weights_multiply_positions_and_the_A1111_mode_keeps_the_mean()
    {
        using var encoder = new ClipTextEncoder(Tiny);
        encoder.eval();
        using var _ = torch.no_grad();
        // A fresh final layer norm (weight 1, bias 0) gives every position the same mean, which would hide
        // the rescaling; give it a random weight and bias as trained models have.
        using (var scale = torch.rand(new long[] { 16 }) + 0.5) encoder.text_model.final_layer_norm.weight!.copy_(scale);
        using (var bias = torch.rand(new long[] { 16 }) + 0.5) encoder.text_model.final_layer_norm.bias!.copy_(bias);
        int[] content = { 5, 6, 7 };
        var weighted = Chunker.Layout(new WeightedTokens(content, new[] { 1.5f, 1f, 0.5f }), 1);

        using var plain = encoder.EncodeChunks(new[] { weighted });
        using var multiplied = encoder.EncodeChunks(new[] { weighted }, weighting: TokenWeighting.Multiply);
        using var keepMean = encoder.EncodeChunks(new[] { weighted }, weighting: TokenWeighting.MultiplyKeepMean);

        float[] p = plain.data<float>(), m = multiplied.data<float>();
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(p[16 * 1 + i] * 1.5, m[16 * 1 + i], 1e-5);
            Assert.Equal(p[16 * 3 + i] * 0.5, m[16 * 3 + i], 1e-5);
            Assert.Equal(p[16 * 2 + i], m[16 * 2 + i]);
            Assert.Equal(p[i], m[i]);
        }
        // An absolute tolerance, not rounding to 5 places: two float32 means 1e-7 apart can round apart.
        Assert.Equal(plain.mean().item(), keepMean.mean().item(), 1e-5);
        Assert.NotEqual(m, keepMean.data<float>());
    }

    [Fact]
    public void Unweighted_prompts_are_left_exactly_as_encoded_even_when_their_mean_is_zero()
    {
        // A fresh final layer norm (weight 1, bias 0) centres every position, so the prompt's mean is about zero:
        // restoring it would divide by (nearly) zero. With every weight 1 there is nothing to restore.
        using var encoder = new ClipTextEncoder(Tiny);
        encoder.eval();
        using var _ = torch.no_grad();
        var unweighted = Chunker.Layout(new WeightedTokens(new[] { 5, 6, 7 }, new[] { 1f, 1f, 1f }), 1);
        using var plain = encoder.EncodeChunks(new[] { unweighted });
        using var keepMean = encoder.EncodeChunks(new[] { unweighted }, weighting: TokenWeighting.MultiplyKeepMean);
        Assert.Equal(plain.data<float>(), keepMean.data<float>());
    }
}
