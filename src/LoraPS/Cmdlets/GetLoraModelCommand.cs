using System.Management.Automation;
using LoraPS.Models;
using LoraPS.Workflows.Lora;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Reads a LoRA or a checkpoint (.safetensors or .ckpt) and emits a LoraModel (kind, base family, ranks and alphas per module, precision, training metadata) or a Checkpoint (SD1/SD2/SDXL, prediction type).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "LoraModel")]
[OutputType(typeof(LoraModel), typeof(Checkpoint))]
public sealed class GetLoraModelCommand : LoraCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (string p in Path)
        {
            string full = GetUnresolvedProviderPathFromPSPath(p);
            try
            {
                WriteObject(ModelInfoWorkflow.Inspect(full));
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteNonTerminating(e, full);
            }
        }
    }
}
