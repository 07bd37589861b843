using LoraPS.Torch.Modules;

namespace LoraPS.Torch.Optim;

#pragma warning disable IDE1006 // naming: mirrors torch

/// <summary>Updates parameters from their gradients. Parameters without a gradient are skipped.</summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<Parameter> parameters, double lr)
    {
        Parameters = parameters.ToList();
        this.lr = lr;
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Learning rate; schedulers change it between steps.</summary>
    public double lr { get; set; }

    public void zero_grad()
    {
        foreach (var p in Parameters) p.grad = null;
    }

    public void step()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        StepCore();
    }

    protected abstract void StepCore();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Stochastic gradient descent with optional momentum and weight decay.</summary>
public sealed class SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weight_decay = 0) : Optimizer(parameters, lr)
{
    private readonly Dictionary<Parameter, Tensor> _velocity = new();

    protected override void StepCore()
    {
        foreach (var p in Parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            if (weight_decay != 0) g = g.add(p, weight_decay);
            if (momentum != 0)
            {
                if (!_velocity.TryGetValue(p, out var v)) _velocity[p] = v = g.clone().DetachFromDisposeScope();
                else v.mul_(momentum).add_(g);
                g = v;
            }
            p.add_(g, -lr);
        }
    }

    public override void Dispose()
    {
        foreach (var v in _velocity.Values) v.Dispose();
        _velocity.Clear();
        base.Dispose();
    }
}

/// <summary>Adam with decoupled weight decay (AdamW), as torch.optim.AdamW.</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 1e-2)
    : Optimizer(parameters, lr)
{
    private readonly Dictionary<Parameter, (Tensor m, Tensor v)> _state = new();
    private long _step;

    protected override void StepCore()
    {
        _step++;
        double bc1 = 1 - Math.Pow(beta1, _step), bc2 = 1 - Math.Pow(beta2, _step);
        foreach (var p in Parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            if (!_state.TryGetValue(p, out var s))
                _state[p] = s = (torch.zeros_like(p).DetachFromDisposeScope(), torch.zeros_like(p).DetachFromDisposeScope());
            if (weight_decay != 0) p.mul_(1 - lr * weight_decay);
            s.m.lerp_(g, 1 - beta1);
            s.v.mul_(beta2).addcmul_(g, g, 1 - beta2);
            var denom = (s.v / bc2).sqrt().add(eps);
            p.addcdiv_(s.m, denom, -lr / bc1);
        }
    }

    public override void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
        base.Dispose();
    }
}
