using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>
/// The per-part loaders (<c>ClipTextEncoder</c>, <c>UNet2DConditionModel</c>, <c>AutoencoderKL.FromCheckpoint</c>) on the
/// whole-model machinery: build the module uninitialised, check its <see cref="WeightPlan"/>, stream the weights in.
/// </summary>
internal static class SinglePartLoader
{
    /// <summary>
    /// The module <paramref name="build"/> makes, filled from <paramref name="plan"/>. Missing or mis-shaped keys throw the
    /// exception <paramref name="refuse"/> makes of the report, before any weight is read; the module is disposed on any failure.
    /// </summary>
    public static T Load<T>(Func<T> build, Func<T, WeightPlan> plan, Func<ModelPartLoadReport, Exception> refuse, out ModelPartLoadReport report)
        where T : Module
    {
        T module;
        using (ParameterInit.SkipInit()) module = build(); // every parameter is overwritten below
        try
        {
            var weights = plan(module);
            report = weights.Check(module);
            if (!report.IsComplete) throw refuse(report);
            report = report with { LoadedParameters = weights.Stream(module, CancellationToken.None) };
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
