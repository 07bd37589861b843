using System.Management.Automation;
using LoraPS.Workflows.Environment;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Reports the engine LoraPS runs on: libtorch, CUDA devices, ONNX Runtime, threads.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "LoraEnvironment")]
[OutputType(typeof(LoraEnvironment))]
public sealed class GetLoraEnvironmentCommand : LoraCmdlet
{
    /// <summary>Sets libtorch's thread count before reporting.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int Threads { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            var result = EnvironmentWorkflow.Run(new EnvironmentOptions { Threads = Threads > 0 ? Threads : null });
            foreach (string problem in result.Problems) WriteWarning(problem);
            WriteObject(result);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorFor(e, null));
        }
    }
}
