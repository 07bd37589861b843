using System.Diagnostics;
using LoraPS.Formats.SafeTensors;
using LoraPS.Workflows.Lora;

namespace LoraPS.Bench;

/// <summary>
/// Peak memory of merging the synthetic SD1.5 rank-128 LoCon into an SD1.5-sized fp16 checkpoint
/// (every LoRA target at its real shape, plus filler tensors up to SD1.5's 1.066 B parameters).
/// </summary>
public sealed class LoraMergeBenchmark : IBenchmark
{
    public string Name => "lora-merge";
    public string Description => "Peak memory (RSS high-water mark and anonymous memory) of merging a rank-128 LoCon into an SD1.5-sized fp16 checkpoint (target ≤ 1.3× the checkpoint).";

    private const long Sd15Parameters = 1_066_235_307;

    private static string WriteCheckpoint(string dir)
    {
        string path = Path.Combine(dir, "sd15-sized-fp16.safetensors");
        if (File.Exists(path)) return path;
        var entries = new List<SafeTensorEntry>();
        long total = 0;
        var rng = new Random(7);
        Action<Stream> Filler(long count) => s =>
        {
            var buffer = new byte[1 << 20];
            for (long done = 0; done < count * 2; done += buffer.Length)
            {
                for (int i = 0; i < buffer.Length; i += 2) { buffer[i] = (byte)rng.Next(256); buffer[i + 1] = (byte)(0x20 + rng.Next(8)); } // small halves
                s.Write(buffer, 0, (int)Math.Min(buffer.Length, count * 2 - done));
            }
        };
        foreach (var l in Sd15Shapes.LoconLayers())
        {
            string key = KeyOf(l.Name);
            long[] shape = l.FourD ? new long[] { l.Out, l.In, l.K, l.K } : new long[] { l.Out, l.In };
            long n = l.Out * l.Columns;
            entries.Add(new SafeTensorEntry(key, SafeTensorDType.F16, shape, Filler(n)));
            entries.Add(new SafeTensorEntry(key[..^".weight".Length] + ".bias", SafeTensorDType.F16, new long[] { l.Out }, Filler(l.Out)));
            total += n + l.Out;
        }
        for (int i = 0; total < Sd15Parameters; i++)
        {
            long n = Math.Min(16_777_216, Sd15Parameters - total);
            entries.Add(new SafeTensorEntry($"first_stage_model.filler.{i}.weight", SafeTensorDType.F16, new long[] { n }, Filler(n)));
            total += n;
        }
        SafeTensorsWriter.Write(path, entries, overwrite: true, sortLikeSafetensors: false);
        return path;
    }

    /// <summary>kohya SD1 name → single-file key (same rule the merge uses, through the diffusers path).</summary>
    private static string KeyOf(string kohya)
    {
        if (kohya.StartsWith("lora_te_"))
            return "cond_stage_model.transformer.text_model.encoder.layers." + kohya["lora_te_text_model_encoder_layers_".Length..].Replace("_self_attn_", ".self_attn.").Replace("_mlp_", ".mlp.") + ".weight";
        string s = kohya["lora_unet_".Length..];
        s = System.Text.RegularExpressions.Regex.Replace(s, @"^(down_blocks|up_blocks)_(\d+)_(attentions|resnets|downsamplers|upsamplers)_(\d+)_", "$1.$2.$3.$4.");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"^mid_block_(resnets|attentions)_(\d+)_", "mid_block.$1.$2.");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"transformer_blocks_(\d+)_", "transformer_blocks.$1.");
        s = s.Replace("attn1_", "attn1.").Replace("attn2_", "attn2.").Replace("to_out_0", "to_out.0").Replace("ff_net_0_proj", "ff.net.0.proj").Replace("ff_net_2", "ff.net.2");
        return "model.diffusion_model." + LoraPS.Models.Lora.UNetNames.DiffusersToLdm(s, sdxl: false) + ".weight";
    }


    public void Run(TextWriter report)
    {
        string dir = Path.Combine(Path.GetTempPath(), "loraps-bench");
        Directory.CreateDirectory(dir);
        string lora = LoraResizeBenchmark.WriteLora(dir, 128);
        string ckpt = WriteCheckpoint(dir);
        long ckptBytes = new FileInfo(ckpt).Length;
        GC.Collect();
        long rssBefore = ProcessMemory.StatusKb("VmRSS") * 1024, anonBefore = ProcessMemory.StatusKb("RssAnon") * 1024;
        long peakAnon = anonBefore;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakAnon = Math.Max(peakAnon, ProcessMemory.StatusKb("RssAnon") * 1024);
                await Task.Delay(20);
            }
        });
        var sw = Stopwatch.StartNew();
        var result = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { lora }, Ratios = new[] { 0.8 }, BaseModel = ckpt, OutputPath = Path.Combine(dir, "merged.safetensors"), Force = true,
        });
        double seconds = sw.Elapsed.TotalSeconds;
        stop.Cancel();
        sampler.Wait();
        long hwm = ProcessMemory.StatusKb("VmHWM") * 1024;
        report.WriteLine($"Checkpoint: {ckptBytes / 1048576.0:F0} MB fp16 ({result.MergedModules} LoRA targets at real SD1.5 shapes, filler to SD1.5's parameter count); LoRA: rank-128 LoCon, {new FileInfo(lora).Length / 1048576.0:F0} MB.");
        report.WriteLine();
        report.WriteLine("| measure | value | × checkpoint |");
        report.WriteLine("| --- | --- | --- |");
        report.WriteLine($"| merge time | {seconds:F1} s | |");
        report.WriteLine($"| process RSS high-water mark (VmHWM; includes mapped file pages) | {hwm / 1048576.0:F0} MB | {hwm / (double)ckptBytes:F2} |");
        report.WriteLine($"| peak anonymous memory (RssAnon, sampled every 20 ms) | {peakAnon / 1048576.0:F0} MB | {peakAnon / (double)ckptBytes:F2} |");
        report.WriteLine($"| RSS before the merge (runtime, libtorch) | {rssBefore / 1048576.0:F0} MB | |");
        report.WriteLine($"| modules merged / unmatched | {result.MergedModules} / {result.UnmatchedModules.Count} | |");
    }
}
