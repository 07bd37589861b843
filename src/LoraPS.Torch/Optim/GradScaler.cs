using LoraPS.Torch.Modules;

namespace LoraPS.Torch.Optim;

#pragma warning disable IDE1006 // naming: mirrors torch

/// <summary>
/// Loss scaling for float16 training: multiply the loss by a scale before backward, divide the
/// gradients by it before the step, skip the step when any gradient is inf/NaN and back the scale
/// off; grow it after <see cref="growth_interval"/> clean steps. As torch.cuda.amp.GradScaler.
/// </summary>
public sealed class GradScaler(double init_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5, int growth_interval = 2000, bool enabled = true)
{
    private int _cleanSteps;
    private bool? _foundInf; // set by unscale_ for the current step

    public double scale_value { get; private set; } = init_scale;
    public double growth_factor { get; } = growth_factor;
    public double backoff_factor { get; } = backoff_factor;
    public int growth_interval { get; } = growth_interval;
    public bool enabled { get; } = enabled;

    /// <summary>Steps skipped so far because a gradient was not finite.</summary>
    public int skipped_steps { get; private set; }

    public Tensor scale(Tensor loss) => enabled ? loss * scale_value : loss.alias();

    /// <summary>Divides the gradients by the scale (once per step); returns true when one was inf/NaN.</summary>
    public bool unscale_(Optimizer optimizer)
    {
        if (_foundInf is bool already) return already;
        bool found = false;
        if (enabled)
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            foreach (var p in optimizer.Parameters)
            {
                var g = p.grad;
                if (g is null) continue;
                g.mul_(1.0 / scale_value);
                if (!found && !g.isfinite().all().ToBoolean()) found = true;
            }
        }
        _foundInf = found;
        return found;
    }

    /// <summary>Unscales if needed and steps unless a gradient was inf/NaN; returns whether it stepped.</summary>
    public bool step(Optimizer optimizer)
    {
        bool inf = unscale_(optimizer);
        if (inf) { skipped_steps++; return false; }
        optimizer.step();
        return true;
    }

    /// <summary>Adjusts the scale after a step: back off on inf/NaN, grow after growth_interval clean steps.</summary>
    public void update()
    {
        bool inf = _foundInf ?? false;
        _foundInf = null;
        if (!enabled) return;
        if (inf)
        {
            scale_value *= backoff_factor;
            _cleanSteps = 0;
        }
        else if (++_cleanSteps >= growth_interval)
        {
            scale_value *= growth_factor;
            _cleanSteps = 0;
        }
    }
}
