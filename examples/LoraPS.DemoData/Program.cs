using LoraPS.DemoData;

// Usage: LoraPS.DemoData <folder> — writes photos/, tagger/ and loras/demo_lora.safetensors there.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: LoraPS.DemoData <folder>");
    return 2;
}
string root = Path.GetFullPath(args[0]);
DemoPictures.Write(Path.Combine(root, "photos"));
ColourTagger.Write(Path.Combine(root, "tagger"));
DemoLora.Write(Path.Combine(root, "loras", "demo_lora.safetensors"));
Console.WriteLine($"demo inputs written to {root}");
return 0;
