namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>The sampling algorithms LoraPS implements (see docs/sampling.md).</summary>
public enum SamplerKind
{
    /// <summary>First-order Euler steps on the probability-flow ODE (k-diffusion <c>sample_euler</c>).</summary>
    Euler,

    /// <summary>Euler ancestral, η = 1: each step goes down to σ_down and adds fresh noise σ_up.</summary>
    EulerAncestral,

    /// <summary>DDIM, η = 0, leading timesteps (SD's and sd-scripts' default sampler).</summary>
    Ddim,

    /// <summary>DPM-Solver++ second-order multistep (k-diffusion <c>sample_dpmpp_2m</c>).</summary>
    DpmPlusPlus2M,
}
