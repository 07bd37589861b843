using System.Runtime.InteropServices;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Torch.Modules;

namespace LoraPS.Bench;

/// <summary>
/// Writes an SD1.5-sized single-file checkpoint in the real ldm key layout (every UNet, CLIP ViT-L and VAE tensor at
/// its real shape, position_ids, betas, alphas_cumprod) with random float16 weights, streamed so the writer holds one
/// chunk at a time.
/// </summary>
internal static class Sd15CheckpointWriter
{
    public static (string Path, long Parameters) Write(string dir)
    {
        var shapes = new List<(string Key, long[] Shape)>();
        using (ParameterInit.SkipInit())
        {
            using var text = new ClipTextEncoder(ClipTextEncoderConfig.Sd1);
            foreach (var (name, t) in text.state_dict()) shapes.Add(("cond_stage_model.transformer." + name, t.shape));
            using var unet = new UNet2DConditionModel(UNetConfig.Sd15);
            foreach (var (name, t) in unet.state_dict()) shapes.Add((UNetCheckpointLayout.DefaultPrefix + UNetCheckpointLayout.ToLdm(name, unet.Config), t.shape));
            using var vae = new AutoencoderKL(VaeConfig.Sd);
            foreach (var (name, t) in vae.state_dict()) shapes.Add(("first_stage_model." + name, t.shape));
        }
        long parameters = shapes.Sum(s => s.Shape.Aggregate(1L, (a, b) => a * b));
        int seed = 1234;
        var entries = shapes.Select(s => new SafeTensorEntry(s.Key, SafeTensorDType.F16, s.Shape, stream => WriteRandom(stream, s.Shape, seed++))).ToList();
        entries.Add(SafeTensorEntry.FromBytes("cond_stage_model.transformer.text_model.embeddings.position_ids", SafeTensorDType.I64, new long[] { 1, 77 },
            MemoryMarshal.AsBytes(Enumerable.Range(0, 77).Select(i => (long)i).ToArray().AsSpan()).ToArray()));
        entries.Add(SafeTensorEntry.FromSingles("betas", SafeTensorDType.F32, new long[] { 1000 }, new float[1000]));
        entries.Add(SafeTensorEntry.FromSingles("alphas_cumprod", SafeTensorDType.F32, new long[] { 1000 }, new float[1000]));
        string path = System.IO.Path.Combine(dir, "sd15-random-fp16.safetensors");
        SafeTensorsWriter.Write(path, entries);
        return (path, parameters);
    }

    /// <summary>Uniform values in ±0.05 as float16, from a small xorshift generator, in 1 M-element chunks.</summary>
    private static void WriteRandom(Stream stream, long[] shape, int seed)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        const int chunk = 1 << 20;
        var floats = new float[chunk];
        var bytes = new byte[chunk * 2];
        uint state = (uint)seed * 2654435761u | 1;
        for (long at = 0; at < count; at += chunk)
        {
            int n = (int)Math.Min(chunk, count - at);
            for (int i = 0; i < n; i++)
            {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                floats[i] = (state / (float)uint.MaxValue - 0.5f) * 0.1f;
            }
            HalfConversions.FromSingle(floats.AsSpan(0, n), SafeTensorDType.F16, bytes.AsSpan(0, n * 2));
            stream.Write(bytes, 0, n * 2);
        }
    }

    /// <summary>Drops the file's pages from the page cache (Linux posix_fadvise DONTNEED), so the next read comes from disk.</summary>
    public static void Evict(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        posix_fadvise((int)file.SafeFileHandle.DangerousGetHandle(), 0, 0, 4 /* POSIX_FADV_DONTNEED */);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);
}
