namespace LoraPS.Torch.Modules;

/// <summary>A tensor that is a module's learnable weight: requires grad by default and is never freed by a DisposeScope.</summary>
public sealed class Parameter : Tensor
{
    /// <summary>Takes over <paramref name="data"/>'s native tensor (the argument becomes invalid).</summary>
    public Parameter(Tensor data, bool requires_grad = true) : base(TakeDetached(data))
    {
        DetachFromDisposeScope();
        if (requires_grad) this.requires_grad = true;
    }

    private static IntPtr TakeDetached(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        // a parameter is a leaf: cut any history, then own the handle
        using var leaf = data.detach();
        data.Dispose();
        return leaf.ReleaseHandle();
    }
}
