using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.StableDiffusion.Vae;

#pragma warning disable IDE1006 // weight/bias are the state-dict names

/// <summary>
/// Group statistics shared by every <see cref="VaeGroupNorm"/> of one VAE, for tiled passes: each norm
/// layer (counted in call order) either normalises a tile with statistics already gathered over all
/// tiles, or — the first layer without them — adds the tile's sums and stops the pass
/// (<see cref="StopPass"/>). Running the tiles once per layer gives every layer the whole image's
/// statistics while only one tile's activations are alive.
/// </summary>
public sealed class VaeNormStatistics : IDisposable
{
    private readonly List<(Tensor Mean, Tensor Var)> known = new();
    private Tensor? sum, sumSquares;
    private long count;
    private int cursor;
    private readonly List<(Tensor K, Tensor V)> gathered = new();
    private (long Y0, long Y1, long X0, long X1) owned;
    private long tileHeight, tileWidth;

    /// <summary>Whether the layers use gathered statistics (tiling) instead of their input's own.</summary>
    public bool Active { get; private set; }

    /// <summary>Thrown after the first norm layer without statistics has added its tile's sums.</summary>
    public sealed class StopPass : Exception { }

    public void Begin() { Reset(); Active = true; }

    public void End() { Reset(); Active = false; }

    /// <summary>Call before each tile's forward pass.</summary>
    /// <param name="ownedRows">the rows (start, end) of the tile's latent grid that this tile alone owns (the tiles' owned parts partition the image).</param>
    /// <param name="ownedColumns">the same for columns.</param>
    public void StartTile(long height, long width, (long Start, long End) ownedRows, (long Start, long End) ownedColumns)
    {
        cursor = 0;
        (tileHeight, tileWidth) = (height, width);
        owned = (ownedRows.Start, ownedRows.End, ownedColumns.Start, ownedColumns.End);
    }

    /// <summary>Turns the sums of the pass just finished into the next layer's mean and variance.</summary>
    public void FinishPass()
    {
        if (gathered.Count > 0)
        {
            var k = torch.cat(gathered.Select(g => g.K).ToArray(), 2);
            var v = torch.cat(gathered.Select(g => g.V).ToArray(), 2);
            foreach (var (a, b) in gathered) { a.Dispose(); b.Dispose(); }
            gathered.Clear();
            known.Add((k, v));
            return;
        }
        if (sum is null || sumSquares is null) return;
        var mean = sum.div((double)count);
        using var meanSquares = sumSquares.div((double)count);
        using var squaredMean = mean.square();
        using var variance = meanSquares - squaredMean;
        known.Add((mean, variance.clamp(0.0)));
        sum.Dispose(); sumSquares.Dispose();
        sum = sumSquares = null;
        count = 0;
    }

    internal Tensor Normalize(Tensor input, long groups, Tensor? weight, Tensor? bias, double eps)
    {
        int layer = cursor++;
        long b = input.shape[0], c = input.shape[1];
        using var grouped = input.reshape(b, groups, -1);
        if (layer < known.Count)
        {
            var (mean, variance) = known[layer];
            using var m = mean.to(input.dtype).unsqueeze(2);
            using var v = variance.add(eps);
            using var inv = v.rsqrt();
            using var invT = inv.to(input.dtype).unsqueeze(2);
            using var centred = grouped - m;
            using var scaled = centred * invT;
            using var shaped = scaled.reshape(input.shape);
            if (weight is null) return shaped.alias();
            using var w = weight.view(1, c, 1, 1);
            using var bb = bias!.view(1, c, 1, 1);
            using var weighted = shaped * w;
            return weighted + bb;
        }
        // Sums over the tile's owned part only (scaled to this layer's resolution), so overlaps count once.
        long scaleY = input.shape[2] / tileHeight, scaleX = input.shape[3] / tileWidth;
        using var rows = input.narrow(2, owned.Y0 * scaleY, (owned.Y1 - owned.Y0) * scaleY);
        using var part = rows.narrow(3, owned.X0 * scaleX, (owned.X1 - owned.X0) * scaleX);
        using var ownedGroups = part.reshape(b, groups, -1);
        using var wide = ownedGroups.to(ScalarType.Float64);
        using var s = wide.sum(2);
        using var sq = wide.square();
        using var s2 = sq.sum(2);
        if (sum is null) { sum = s.alias(); sumSquares = s2.alias(); }
        else { sum.add_(s); sumSquares!.add_(s2); }
        count += ownedGroups.shape[2];
        throw new StopPass();
    }

    /// <summary>
    /// Attention during a tiled pass: the tile's queries attend to the keys and values of the whole image
    /// (gathered from every tile's owned part in an earlier pass, so no position counts twice).
    /// Inputs are (b, 1, tokens, c) with the tile's tokens in row-major (h, w) order.
    /// </summary>
    internal Tensor Attend(Tensor q, Tensor k, Tensor v, long h, long w)
    {
        int layer = cursor++;
        if (layer < known.Count)
        {
            var (allK, allV) = known[layer];
            return scaled_dot_product_attention(q, allK, allV);
        }
        gathered.Add((Owned(k, h, w), Owned(v, h, w)));
        throw new StopPass();
    }

    private Tensor Owned(Tensor tokens, long h, long w)
    {
        long b = tokens.shape[0], c = tokens.shape[3];
        using var grid = tokens.reshape(b, 1, h, w, c);
        using var rows = grid.narrow(2, owned.Y0, owned.Y1 - owned.Y0);
        using var part = rows.narrow(3, owned.X0, owned.X1 - owned.X0);
        return part.reshape(b, 1, -1, c);
    }

    private void Reset()
    {
        foreach (var (a, b) in gathered) { a.Dispose(); b.Dispose(); }
        gathered.Clear();
        foreach (var (m, v) in known) { m.Dispose(); v.Dispose(); }
        known.Clear();
        sum?.Dispose(); sumSquares?.Dispose();
        sum = sumSquares = null;
        count = 0;
        cursor = 0;
    }

    public void Dispose() => End();
}

/// <summary>GroupNorm (state-dict names <c>weight</c>, <c>bias</c>) that uses whole-image statistics during tiled passes.</summary>
public sealed class VaeGroupNorm : Module<Tensor, Tensor>
{
    private readonly long groups;
    private readonly double eps;
    private readonly VaeNormStatistics statistics;
    public Parameter weight { get; }
    public Parameter bias { get; }

    public VaeGroupNorm(VaeConfig config, long channels, VaeNormStatistics statistics, ScalarType dtype, Device? device) : base(nameof(VaeGroupNorm))
    {
        if (channels % config.NormGroups != 0) throw new ArgumentException($"{channels} channels do not split into {config.NormGroups} groups");
        (groups, eps, this.statistics) = (config.NormGroups, config.NormEps, statistics);
        weight = ParameterInit.Constant(new[] { channels }, 1, dtype, device);
        bias = ParameterInit.Constant(new[] { channels }, 0, dtype, device);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public override Tensor forward(Tensor input) =>
        statistics.Active ? statistics.Normalize(input, groups, weight, bias, eps) : group_norm(input, groups, weight, bias, eps);
}
