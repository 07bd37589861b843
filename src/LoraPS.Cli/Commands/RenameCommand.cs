using System.CommandLine;
using LoraPS.Workflows.Rename;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps rename`: the same as Rename-TrainingImages.</summary>
internal static class RenameCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("path") { Description = "Folders (every image in them) or image files.", Arity = ArgumentArity.OneOrMore };
        var prefix = new Option<string?>("--prefix") { Description = "Name before the number (default: the folder's name)." };
        var style = new Option<RenameStyle>("--style") { Description = "Explorer: 'prefix (1).png'; Padded: 'prefix_0001.png'.", DefaultValueFactory = _ => RenameStyle.Explorer };
        var digits = new Option<int>("--digits") { Description = "Digits of the Padded style (1-9).", DefaultValueFactory = _ => 4 };
        var start = new Option<int>("--start") { Description = "First number.", DefaultValueFactory = _ => 1 };
        var sort = new Option<RenameSort>("--sort") { Description = "Natural, Name, DateTaken or Modified.", DefaultValueFactory = _ => RenameSort.Natural };
        var recurse = new Option<bool>("--recurse") { Description = "Also rename inside subfolders (each numbered on its own)." };
        var undo = new Option<bool>("--undo") { Description = "Revert an interrupted rename instead of renaming." };
        var whatIf = new Option<bool>("--what-if") { Description = "Print the plan and change nothing." };
        var json = new Option<bool>("--json") { Description = "Print the renamed images as JSON." };
        var command = new Command("rename", "Number training images ('prefix (1).png' ...) with their caption and cache sidecars, crash-safely.")
        {
            paths, prefix, style, digits, start, sort, recurse, undo, whatIf, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var options = new RenameOptions
                {
                    Paths = parse.GetValue(paths) ?? [],
                    Prefix = parse.GetValue(prefix),
                    Style = parse.GetValue(style),
                    Digits = parse.GetValue(digits),
                    Start = parse.GetValue(start),
                    Sort = parse.GetValue(sort),
                    Recurse = parse.GetValue(recurse),
                    Undo = parse.GetValue(undo),
                };
                RenameResult result;
                if (parse.GetValue(whatIf))
                {
                    var plan = RenameWorkflow.Plan(options);
                    foreach (var folder in plan.Folders) Console.Out.WriteLine(folder.Describe());
                    foreach (var p in plan.Problems) Console.Error.WriteLine($"loraps: {p.Error.Message}");
                    return plan.Problems.Count == 0 ? 0 : 1;
                }
                result = RenameWorkflow.Run(options);
                foreach (string folder in result.Recovered)
                    Console.Error.WriteLine(options.Undo ? $"undone: interrupted rename in {folder}" : $"finished the interrupted rename in {folder} first");
                foreach (string note in result.Notes) Console.Error.WriteLine($"note: {note}");
                foreach (var p in result.Problems) Console.Error.WriteLine($"loraps: {p.Error.Message}");
                if (parse.GetValue(json)) CliOutput.WriteJson(result.Images);
                else
                    foreach (var image in result.Images)
                        Console.Out.WriteLine($"{image.Path}  {image.Width}x{image.Height} {image.Format}{(image.Caption != null ? "  caption: " + Path.GetFileName(image.CaptionPath) : "")}");
                Console.Error.WriteLine($"{result.FilesRenamed} files renamed, {result.Images.Count} images");
                return result.Problems.Count == 0 ? 0 : 1;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"loraps: {e.Message}");
                return 2;
            }
            catch (Exception e)
            {
                return CliOutput.Fail(e);
            }
        });
        return command;
    }
}
