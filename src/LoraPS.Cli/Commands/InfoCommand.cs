using System.CommandLine;
using LoraPS.Models;
using LoraPS.Workflows.Lora;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps info FILE…`: the same description as Get-LoraModel.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "LoRA or checkpoint files (.safetensors, .ckpt)." , Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var modules = new Option<bool>("--modules") { Description = "List every module with its rank and alpha." };
        var command = new Command("info", "Describe a LoRA (kind, base family, ranks, alphas, precision, training metadata) or a checkpoint (family, prediction type).")
        {
            files, json, modules,
        };
        command.SetAction(parse =>
        {
            int code = 0;
            foreach (string file in parse.GetValue(files)!)
            {
                try
                {
                    object info = ModelInfoWorkflow.Inspect(file);
                    if (parse.GetValue(json)) { CliOutput.WriteJson(info); continue; }
                    if (info is LoraModel l)
                    {
                        CliOutput.WriteList(new (string, object?)[]
                        {
                            ("Path", l.Path), ("Kind", l.NetworkKind), ("Base", l.BaseFamily), ("Layout", l.KeyLayout),
                            ("Rank", l.IsDynamicRank ? $"{l.Rank} (dynamic {l.MinRank}..{l.MaxRank})" : l.Rank), ("Alpha", l.Alpha),
                            ("Conv rank", l.ConvRank), ("Conv alpha", l.ConvAlpha),
                            ("Modules", $"{l.ModuleCount} ({l.UNetModuleCount} UNet, {l.TextEncoderModuleCount} text encoder)"),
                            ("Precision", l.Precision), ("File size", l.FileSize),
                            ("ss_network_dim", l.NetworkDim), ("ss_network_alpha", l.NetworkAlpha), ("ss_network_module", l.NetworkModule),
                            ("Base model", l.BaseModelName), ("Base model hash", l.BaseModelHash),
                            ("Tag folders", l.TagFrequency.Select(kv => $"{kv.Key} ({kv.Value.Count} tags)")),
                        });
                        if (parse.GetValue(modules))
                            foreach (var m in l.Modules) Console.Out.WriteLine($"  {m.Name,-90} {m.Algorithm,-4} {m.LayerKind,-7} rank {m.Rank,4} alpha {m.Alpha}");
                    }
                    else if (info is Checkpoint c)
                    {
                        CliOutput.WriteList(new (string, object?)[]
                        {
                            ("Path", c.Path), ("Family", c.Family), ("Prediction", c.PredictionType), ("Format", c.Format),
                            ("Precision", c.Precision), ("Tensors", c.TensorCount), ("File size", c.FileSize),
                        });
                    }
                    Console.Out.WriteLine();
                }
                catch (Exception e)
                {
                    code = CliOutput.Fail(e);
                }
            }
            return code;
        });
        return command;
    }
}
