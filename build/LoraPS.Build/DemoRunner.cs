namespace LoraPS.Build;

/// <summary>
/// `./build.sh demo`: the main job on built-in small data, through the real `loraps` command, in
/// artifacts/demo/. The inputs (pictures, a tiny tagger with the WD14 interface, SD1-named LoRAs, a tiny SD1 base model)
/// are made by examples/LoraPS.DemoData with LoraPS's own writers, since no model can be downloaded
/// here. Each capability adds its step as it lands.
/// </summary>
internal static class DemoRunner
{
    public static int Run(BuildContext ctx)
    {
        string work = Path.Combine(ctx.Artifacts, "demo");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        string demoData = Path.Combine(ctx.Root, "examples", "LoraPS.DemoData", "bin", ctx.Configuration, "net8.0", "LoraPS.DemoData.dll");

        var steps = new (string Title, Func<int> Run)[]
        {
            ("The engine: libtorch, devices, ONNX Runtime, and a computation through the shim", () => Loraps(ctx, work, "env")),
            ("Demo inputs: 12 pictures, a tiny colour tagger, two rank-32 LoRAs, a tiny SD1 base model", () => Shell.RunCode("dotnet", new[] { demoData, work }, work)),
            ("Number the pictures crash-safely, captions travel with them", () => Loraps(ctx, work, "rename", "photos", "--prefix", "mylora")),
            ("Tag them (WD14 interface), excluding 1girl, appending to existing captions",
                () => Loraps(ctx, work, "tag", "photos", "--model-path", "tagger", "--exclude-tag", "1girl,2boys", "--mode", "Append")),
            ("Lay out the dataset: kohya folders and sd-scripts TOML, buckets and steps",
                () => Loraps(ctx, work, "dataset", "new", "photos", "--instance", "mylora", "--class", "1boy", "--repeats", "20",
                    "--resolution", "512", "--batch-size", "2", "--epochs", "6", "--layout", "Both", "--destination", "training")),
            ("Inspect the LoRA", () => Loraps(ctx, work, "info", Path.Combine("loras", "demo_lora.safetensors"))),
            ("Compress it the CharFramework way (dynamic resize, singular-value ratio 16)",
                () => Loraps(ctx, work, "compress", Path.Combine("loras", "demo_lora.safetensors"))),
            ("Inspect the result", () => Loraps(ctx, work, "info", Path.Combine("loras", "demo_lora-SvR16.safetensors"))),
            ("Preview a LoRA at strengths 0, 0.5 and 1 on the base model: pictures and a labelled grid",
                () => Loraps(ctx, work, "preview", Path.Combine("loras", "demo_style.safetensors"), "--checkpoint", Path.Combine("model", "demo-sd1.safetensors"),
                    "--model-config", Path.Combine("model", "demo-sd1.json"), "--tokenizer", Path.Combine("model", "tokenizer"),
                    "--prompt", "mylora, 1boy, red theme", "--negative-prompt", "blurry", "--strengths", "0,0.5,1", "--seed", "7",
                    "--steps", "10", "--width", "128", "--height", "128", "--output", "preview", "--offline")),
        };
        for (int i = 0; i < steps.Length; i++)
        {
            Console.WriteLine();
            Console.WriteLine($"== {i + 1}. {steps[i].Title}");
            int code = steps[i].Run();
            if (code != 0) return code;
        }
        Console.WriteLine();
        Console.WriteLine($"demo: done; everything it made is in {work}");
        return 0;
    }

    private static int Loraps(BuildContext ctx, string work, params string[] args)
    {
        int code = Shell.RunCode("dotnet", new[] { ctx.Cli }.Concat(args), work);
        if (code != 0) Console.Error.WriteLine($"demo: `loraps {string.Join(' ', args)}` failed with exit code {code}");
        return code;
    }
}
