using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>One tile in latent coordinates.</summary>
public readonly record struct VaeTile(long Y, long X, long Height, long Width);

/// <summary>
/// Splits an h × w latent grid into tiles of at most <c>tile</c> with at least <c>overlap</c> shared
/// latents between neighbours, and blends per-tile outputs (at <c>scale</c> output pixels per latent)
/// with weights that ramp linearly across each shared edge, so seams fade instead of cutting.
/// </summary>
public sealed class VaeTileBlender : IDisposable
{
    private readonly long height, width, tile, overlap, scale;
    private readonly long[] ys, xs;
    private Tensor? weightSum;

    public VaeTileBlender(long height, long width, int tile, int overlap, int scale = 1)
    {
        if (tile <= 0 || overlap < 0 || overlap >= tile) throw new ArgumentException($"tile {tile} must be positive and larger than the overlap {overlap}");
        (this.height, this.width, this.tile, this.overlap, this.scale) = (height, width, tile, overlap, scale);
        ys = Starts(height);
        xs = Starts(width);
    }

    private long[] Starts(long size)
    {
        if (size <= tile) return new[] { 0L };
        long stride = tile - overlap;
        var starts = new List<long>();
        for (long s = 0; ; s += stride)
        {
            if (s + tile >= size) { starts.Add(size - tile); break; }
            starts.Add(s);
        }
        return starts.ToArray();
    }

    /// <summary>The part of each tile's rows and columns (tile-local, at latent resolution) that it alone owns: the owned parts partition the grid.</summary>
    public ((long Start, long End) Rows, (long Start, long End) Columns) Owned(VaeTile t) =>
        (Own(ys, t.Y, Math.Min(tile, height), height), Own(xs, t.X, Math.Min(tile, width), width));

    private static (long, long) Own(long[] starts, long start, long length, long size)
    {
        int i = Array.IndexOf(starts, start);
        // Neighbours split their shared span at its middle.
        long from = i == 0 ? 0 : (start + starts[i - 1] + length) / 2;
        long to = i == starts.Length - 1 ? size : (starts[i + 1] + start + length) / 2;
        return (from - start, to - start);
    }

    public IEnumerable<VaeTile> Tiles()
    {
        foreach (long y in ys)
            foreach (long x in xs)
                yield return new VaeTile(y, x, Math.Min(tile, height), Math.Min(tile, width));
    }

    /// <summary>Adds <paramref name="output"/>·weight into its place in <paramref name="sum"/> (and, when <paramref name="countWeight"/>, the weight into the weight sum shared by all outputs).</summary>
    public void Add(Tensor sum, Tensor output, VaeTile t, bool countWeight = true)
    {
        using var wy = torch.tensor(Ramp(t.Y, t.Height, height), 1, 1, t.Height * scale, 1);
        using var wx = torch.tensor(Ramp(t.X, t.Width, width), 1, 1, 1, t.Width * scale);
        using var wyc = wy.to(sum.device, sum.dtype, copy: false);
        using var wxc = wx.to(sum.device, sum.dtype, copy: false);
        using var weight = wyc * wxc;
        using var weighted = output * weight;
        using (var rows = sum.narrow(2, t.Y * scale, t.Height * scale))
        using (var place = rows.narrow(3, t.X * scale, t.Width * scale))
            place.add_(weighted);
        if (!countWeight) return;
        weightSum ??= torch.zeros(new[] { 1, 1, height * scale, width * scale }, sum.dtype, sum.device);
        using (var rows = weightSum.narrow(2, t.Y * scale, t.Height * scale))
        using (var place = rows.narrow(3, t.X * scale, t.Width * scale))
            place.add_(weight);
    }

    /// <summary>sum ÷ weight sum, as a new tensor.</summary>
    public Tensor Normalize(Tensor sum)
    {
        if (weightSum is null) throw new InvalidOperationException("no tile was added");
        return sum.div(weightSum);
    }

    public void Dispose() => weightSum?.Dispose();

    /// <summary>Weights along one axis for a tile at <paramref name="start"/>: ramps up over the overlap where a neighbour precedes, down where one follows.</summary>
    private float[] Ramp(long start, long length, long size)
    {
        long n = length * scale, o = Math.Min(overlap, length) * scale;
        bool before = start > 0, after = start + length < size;
        var w = new float[n];
        for (long i = 0; i < n; i++)
        {
            double v = 1;
            if (before && o > 0) v = Math.Min(v, (i + 0.5) / o);
            if (after && o > 0) v = Math.Min(v, (n - i - 0.5) / o);
            w[i] = (float)v;
        }
        return w;
    }
}
