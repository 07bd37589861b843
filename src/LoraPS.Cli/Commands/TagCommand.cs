using System.CommandLine;
using LoraPS.Hub;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;
using LoraPS.Workflows.Tagging;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps tag PATH…`: the same job as Invoke-WD14Tagger.</summary>
internal static class TagCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Pictures or folders of pictures.", Arity = ArgumentArity.OneOrMore };
        var modelPath = new Option<string?>("--model-path") { Description = "A folder with model.onnx and selected_tags.csv." };
        var model = new Option<string>("--model") { Description = $"Known model name or hub repo id (default {Wd14KnownModels.Default.RepoId}).", DefaultValueFactory = _ => Wd14KnownModels.Default.RepoId };
        var revision = new Option<string>("--revision") { Description = "Hub revision.", DefaultValueFactory = _ => "main" };
        var cache = new Option<string?>("--cache-dir") { Description = "Hub cache folder (default: the Hugging Face cache)." };
        var offline = new Option<bool>("--offline") { Description = "Use only the hub cache." };
        var general = new Option<float>("--general-threshold") { Description = "Keep general tags with p ≥ this.", DefaultValueFactory = _ => 0.35f };
        var character = new Option<float?>("--character-threshold") { Description = "Keep character tags with p ≥ this (default: the general threshold; > 1 disables)." };
        var rating = new Option<RatingPlacement>("--rating-tag") { Description = "Put the rating tag None, First or Last.", DefaultValueFactory = _ => RatingPlacement.None };
        var exclude = new Option<string[]>("--exclude-tag") { Description = "Tags never written (repeat or comma-separate).", AllowMultipleArgumentsPerToken = true };
        var first = new Option<string[]>("--always-first-tag") { Description = "Tags moved to the front when found.", AllowMultipleArgumentsPerToken = true };
        var add = new Option<string[]>("--add-tag") { Description = "Tags put first in every caption.", AllowMultipleArgumentsPerToken = true };
        var keepUnderscore = new Option<bool>("--keep-underscore") { Description = "Do not turn underscores into spaces." };
        var charactersFirst = new Option<bool>("--character-tags-first") { Description = "Character tags before general tags." };
        var separator = new Option<string>("--separator") { Description = "Between tags.", DefaultValueFactory = _ => ", " };
        var extension = new Option<string>("--caption-extension") { Description = "Caption file extension.", DefaultValueFactory = _ => ".txt" };
        var mode = new Option<CaptionMode>("--mode") { Description = "Existing captions: Overwrite, Append or Skip.", DefaultValueFactory = _ => CaptionMode.Overwrite };
        var force = new Option<bool>("--force") { Description = "Let --mode Overwrite replace existing caption files." };
        var recurse = new Option<bool>("--recurse") { Description = "Include sub-folders." };
        var batch = new Option<int>("--batch-size") { Description = "Images per inference call (v3 models).", DefaultValueFactory = _ => 1 };
        var device = new Option<OnnxDevice>("--device") { Description = "Auto, Cpu or Cuda.", DefaultValueFactory = _ => OnnxDevice.Auto };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = automatic)." };
        var dryRun = new Option<bool>("--what-if", "--dry-run") { Description = "Tag and print, but write no caption files." };
        var json = new Option<bool>("--json") { Description = "Print each result and the summary as JSON." };
        var command = new Command("tag", "Tag pictures with a WD14 tagger and write caption files (as sd-scripts' tag_images_by_wd14_tagger.py).")
        {
            paths, modelPath, model, revision, cache, offline, general, character, rating, exclude, first, add, keepUnderscore,
            charactersFirst, separator, extension, mode, force, recurse, batch, device, threads, dryRun, json,
        };
        static string[] Split(string[]? values) =>
            (values ?? Array.Empty<string>()).SelectMany(v => v.Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
        command.SetAction(parse =>
        {
            try
            {
                var options = new TaggerOptions
                {
                    ModelPath = parse.GetValue(modelPath),
                    Model = parse.GetValue(model)!,
                    Revision = parse.GetValue(revision)!,
                    Hub = new HubOptions { Offline = parse.GetValue(offline) || new HubOptions().Offline } with
                    {
                        CacheDir = parse.GetValue(cache) ?? HubOptions.DefaultCacheDir(),
                    },
                    Selection = new TagSelectionOptions
                    {
                        GeneralThreshold = parse.GetValue(general),
                        CharacterThreshold = parse.GetValue(character),
                        Rating = parse.GetValue(rating),
                        ExcludeTags = Split(parse.GetValue(exclude)),
                        AlwaysFirstTags = Split(parse.GetValue(first)),
                        AddTags = Split(parse.GetValue(add)),
                        ReplaceUnderscores = !parse.GetValue(keepUnderscore),
                        CharacterTagsFirst = parse.GetValue(charactersFirst),
                        Separator = parse.GetValue(separator)!,
                    },
                    CaptionExtension = parse.GetValue(extension)!,
                    Mode = parse.GetValue(mode),
                    Force = parse.GetValue(force),
                    Recurse = parse.GetValue(recurse),
                    BatchSize = parse.GetValue(batch),
                    Device = parse.GetValue(device),
                    Threads = parse.GetValue(threads),
                };
                var (images, missing) = TaggerInputs.Expand(parse.GetValue(paths)!, options.Recurse);
                int code = 0;
                foreach (var (path, error) in missing) code = CliOutput.Fail(error);
                long lastReport = 0;
                var download = new Progress<HubDownloadProgress>(p =>
                {
                    if (p.Received - lastReport < 16 << 20 && p.Received != p.Total) return;
                    lastReport = p.Received;
                    Console.Error.WriteLine($"downloading {p.RepoId}/{p.FileName}: {p.Received / 1048576.0:N1} of {(p.Total ?? 0) / 1048576.0:N1} MB");
                });
                using var session = TaggerSession.Open(options, download);
                foreach (string warning in session.Warnings) Console.Error.WriteLine($"warning: {warning}");
                bool asJson = parse.GetValue(json);
                foreach (var result in session.Tag(images, parse.GetValue(dryRun) ? (_, _) => false : null))
                {
                    if (result.Outcome == TaggerOutcome.Failed) { code = CliOutput.Fail(result.Error!); continue; }
                    if (asJson) CliOutput.WriteJson(new { result.Image.Path, Outcome = result.Outcome.ToString(), result.Image.Caption, result.Image.Rating });
                    else Console.Out.WriteLine($"{result.Image.Path}: {(result.Outcome == TaggerOutcome.Skipped ? "(skipped) " : "")}{result.Image.Caption}");
                }
                var summary = session.Summary();
                if (asJson) CliOutput.WriteJson(summary);
                else
                {
                    Console.Out.WriteLine($"{summary.Tagged} tagged, {summary.Skipped} skipped, {summary.Failed} failed in {summary.Elapsed.TotalSeconds:N1} s on {summary.Device}");
                    Console.Out.WriteLine("Tag frequencies:");
                    foreach (var f in summary.Frequencies.Take(50)) Console.Out.WriteLine($"{f.Tag}: {f.Count}");
                }
                return code;
            }
            catch (Exception e)
            {
                return CliOutput.Fail(e);
            }
        });
        return command;
    }
}
