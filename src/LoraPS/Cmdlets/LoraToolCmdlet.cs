using System.Management.Automation;
using LoraPS.Models.Lora;
using LoraPS.Workflows.Lora;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>Shared plumbing of the LoRA tool cmdlets (Resize-, Compress-, Merge-Lora, Export-LoraDifference): progress, resize reporting.</summary>
public abstract class LoraToolCmdlet : LoraCmdlet
{
    /// <summary>Workflow progress, written on the pipeline thread (workflows run synchronously on it).</summary>
    protected IProgress<LoraProgress> ProgressSink() => new SyncProgress(this);

    protected void CompleteProgress(string activity) => WritePercent(1, activity, "done", 100);

    /// <summary>Runs one resize with -WhatIf, progress, -Verbose module lines and per-item errors.</summary>
    protected void RunResize(string input, ResizeLoraOptions options, bool detailed)
    {
        try
        {
            string output = options.ResolveOutputPath();
            if (!ShouldProcess(output, $"Resize {Path.GetFileName(input)} ({options.DefaultSuffix()})")) return;
            var result = ResizeLoraWorkflow.Run(options, ProgressSink(), Cancellation);
            CompleteProgress("Resizing LoRA");
            foreach (var m in result.Modules) WriteVerbose(m.ToVerboseLine(options.Method != ResizeMethod.Fixed));
            WriteVerbose($"Average Frobenius norm retention: {result.AverageFroRetained:P2} | std: {result.FroRetainedStd:0.000}");
            WriteVerbose($"{Path.GetFileName(input)}: {result.SizeBefore / 1048576.0:0.0} MB -> {result.SizeAfter / 1048576.0:0.0} MB ({Path.GetFileName(result.OutputPath)})");
            foreach (var w in result.Warnings) WriteWarning(w);
            WriteObject(result.Output);
            if (detailed) foreach (var m in result.Modules) WriteObject(m);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteNonTerminating(e, input);
        }
    }

    private sealed class SyncProgress(LoraToolCmdlet cmdlet) : IProgress<LoraProgress>
    {
        public void Report(LoraProgress value) => cmdlet.WritePercent(1, value.Activity, value.Current, value.Percent);
    }
}
