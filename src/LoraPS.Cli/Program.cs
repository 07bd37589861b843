using System.CommandLine;
using LoraPS.Cli.Commands;

// `loraps <verb>`: each verb parses its options into a workflow's options record, runs the workflow
// and prints the result; exit code 0 on success, 1 on a handled error, 2 on bad usage.
var root = new RootCommand("LoraPS: Stable Diffusion LoRA tools without Python (rename, tag, dataset, train, merge, resize, compress).");
root.Subcommands.Add(EnvCommand.Create());
root.Subcommands.Add(RenameCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(LoraToolCommands.Merge());
root.Subcommands.Add(LoraToolCommands.Resize());
root.Subcommands.Add(LoraToolCommands.Compress());
root.Subcommands.Add(LoraToolCommands.Extract());
root.Subcommands.Add(TagCommand.Create());
root.Subcommands.Add(DatasetCommand.Create());
root.Subcommands.Add(PreviewCommand.Create());
return root.Parse(args).Invoke();
