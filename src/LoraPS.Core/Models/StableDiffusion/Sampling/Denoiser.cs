using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// The model as the samplers see it: given noisy latents in the "variance exploding" form
/// x = x₀ + σ·ε at noise level <paramref name="sigma"/>, the estimate D(x, σ) of the clean latents x₀.
/// <paramref name="timestep"/> is the (fractional) training timestep with that σ, which a UNet takes
/// as input. Returns a new tensor shaped like <paramref name="noisy"/>; the caller owns it.
/// </summary>
public delegate Tensor Denoiser(Tensor noisy, double sigma, double timestep);
