using LoraPS.DemoData;

// Usage: LoraPS.DemoData <folder> — writes photos/, tagger/, model/ (a tiny SD1 base model with its tokenizer)
// and loras/ (demo_lora at SD1.5 widths, demo_style for the tiny model) there.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: LoraPS.DemoData <folder>");
    return 2;
}
string root = Path.GetFullPath(args[0]);
DemoPictures.Write(Path.Combine(root, "photos"));
ColourTagger.Write(Path.Combine(root, "tagger"));
DemoLora.Write(Path.Combine(root, "loras", "demo_lora.safetensors"));
DemoBaseModel.Write(Path.Combine(root, "model"));
DemoLora.WriteForDemoModel(Path.Combine(root, "loras", "demo_style.safetensors"));
Console.WriteLine($"demo inputs written to {root}");
return 0;
